// Multipart upload of a big file to a real S3 API (s3rver): parts from ranges of the file, read back byte-identical.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetadataBearer } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PARTS, S3Target, partSizeFor } from '../proxy/datasets/s3-target.ts';
import { startS3, type S3Kit } from './s3-kit.ts';

const MiB = 2 ** 20;
const KEY = 'stripe/events/v20261204T173000Z-3f2a9c1b/part-00000.parquet';
const home = mkdtempSync(join(tmpdir(), 'dinobase-s3-multipart-'));
const local = join(home, 'big.parquet');
let bytes: Buffer;
let s3: S3Kit;

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Each command the target's own client sends, with its input: what reached s3rver, in order. */
function recording(target: S3Target) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  target.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}

beforeAll(async () => {
  // ~12 MB that does not compress: three parts of 5 MiB, the last one short.
  bytes = randomBytes(12 * 1000 * 1000);
  await writeFile(local, bytes);
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
});

describe('S3Target multipart upload (s3rver)', () => {
  it('uploads a file over the threshold in parts and reads it back byte-identical', async () => {
    const target = s3.target('team', { multipartBytes: 8 * MiB, partBytes: 5 * MiB, partsInFlight: 2 });
    const sent = recording(target);
    await target.putFile(KEY, local);
    const parts = sent.filter((s) => s.command === 'UploadPartCommand');
    expect(sent.map((s) => s.command)).toEqual([
      'CreateMultipartUploadCommand',
      ...parts.map(() => 'UploadPartCommand'),
      'CompleteMultipartUploadCommand',
    ]);
    expect(parts.map((p) => [p.input.PartNumber, p.input.ContentLength]).sort()).toEqual([
      [1, 5 * MiB],
      [2, 5 * MiB],
      [3, bytes.length - 10 * MiB],
    ]);
    const head = await target.head(KEY);
    expect(head?.size).toBe(bytes.length);
    const object = await target.get(KEY);
    const back = new Uint8Array(await new Response(object!.body).arrayBuffer());
    expect(sha256(back)).toBe(sha256(bytes));
  });

  it('sends a file at or under the threshold as one PutObject', async () => {
    const target = s3.target('team', { multipartBytes: bytes.length });
    const sent = recording(target);
    await target.putFile(KEY, local);
    expect(sent.map((s) => s.command)).toEqual(['PutObjectCommand']);
    const object = await target.get(KEY);
    expect(sha256(new Uint8Array(await new Response(object!.body).arrayBuffer()))).toBe(sha256(bytes));
  });

  it('aborts the upload when a part fails, and says so when the abort fails too', async () => {
    const key = KEY.replace('events', 'broken');
    const target = s3.target('team', { multipartBytes: 8 * MiB, partBytes: 5 * MiB, partsInFlight: 1 });
    const sent = recording(target);
    // s3rver stores any part it is sent, so part 2 fails before it leaves, as a dropped connection would.
    target.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { PartNumber?: number };
        if (input.PartNumber === 2) throw new Error('socket hang up');
        return next(args) as Promise<{ output: MetadataBearer; response: unknown }>;
      },
      { step: 'initialize', name: 'failPartTwo' },
    );
    // s3rver 3.7 has no AbortMultipartUpload (it answers 405), so this is the path where the abort fails too: the
    // part's failure leads the message, the abort's follows. Against S3 the abort succeeds and the part's is thrown.
    await expect(target.putFile(key, local)).rejects.toMatchObject({
      name: 'ProxyError',
      code: 'upload_failed',
      message: expect.stringMatching(
        /^socket hang up; aborting the multipart upload of team\/stripe\/broken\/.*part-00000\.parquet failed too \(The specified method is not allowed/,
      ),
    });
    const commands = sent.map((s) => s.command);
    expect(commands.slice(0, 3)).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
    ]);
    // Part 3 never started, nothing completed, and the upload was aborted by its id.
    expect(commands.slice(3)).toEqual(['AbortMultipartUploadCommand']);
    const abort = sent.at(-1)!.input;
    expect(abort).toMatchObject({ Bucket: s3.bucket, Key: `team/${key}` });
    expect(String(abort.UploadId)).toMatch(/^[0-9a-f]{32}$/);
    expect(await target.head(key)).toBeNull();
  });

  it('grows parts so a file never needs more than 10,000, and refuses parts under 5 MiB', () => {
    expect(partSizeFor(12 * 1000 * 1000, 16 * MiB)).toBe(16 * MiB);
    const huge = 500 * 1024 * MiB;
    const part = partSizeFor(huge, 16 * MiB);
    expect(part % MiB).toBe(0);
    expect(Math.ceil(huge / part)).toBeLessThanOrEqual(MAX_PARTS);
    expect(Math.ceil(huge / (part - MiB))).toBeGreaterThan(MAX_PARTS);
    expect(() => s3.target('team', { partBytes: 4 * MiB })).toThrow(
      /at least S3's minimum part of 5 MiB.*4194304/,
    );
  });
});
