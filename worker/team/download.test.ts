import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncError } from '../errors.ts';
import { openSpool } from '../parquet/node.ts';
import { downloadVerified, type PublishedFile } from './download.ts';

const DATA = randomBytes(3_000_000);
const SHA = createHash('sha256').update(DATA).digest('hex');

/** How the loopback server misbehaves for the next requests; each request takes the first entry left. */
type Behaviour = { cutAt?: number; ignoreRange?: boolean; body?: Buffer };
let plan: Behaviour[] = [];
let seen: (string | undefined)[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.range);
    const behaviour = plan.shift() ?? {};
    const body = behaviour.body ?? DATA;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range && !behaviour.ignoreRange ? Number(range[1]) : 0;
    const headers: Record<string, string> = { 'Content-Length': String(body.length - start) };
    if (start > 0) headers['Content-Range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    if (behaviour.cutAt === undefined) return res.end(body.subarray(start));
    // Sends the bytes up to `cutAt`, then drops the connection, as a dying network does.
    res.write(body.subarray(start, Math.max(start, behaviour.cutAt)), () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/part-00000.parquet`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const FILE: PublishedFile = {
  path: '/api/datasets/s/t/v/part-00000.parquet',
  bytes: DATA.length,
  sha256: SHA,
};

async function download(file = FILE, signal?: AbortSignal): Promise<Buffer> {
  const spool = await openSpool();
  try {
    const get = async (headers: Record<string, string>) => {
      const response = await fetch(url, { headers, signal });
      if (!response.ok) throw new SyncError('http_error', `GET answered ${response.status}`);
      return response;
    };
    const blob = await downloadVerified(file, { get, spool, signal });
    return Buffer.from(await blob.arrayBuffer());
  } finally {
    await spool.remove();
  }
}

function expectCode(promise: Promise<unknown>, code: string, message: RegExp) {
  return expect(promise).rejects.toSatisfy(
    (error: unknown) => error instanceof SyncError && error.code === code && message.test(error.message),
  );
}

describe('downloadVerified', () => {
  it('streams the whole file into the spool in one request', async () => {
    plan = [];
    seen = [];
    expect((await download()).equals(DATA)).toBe(true);
    expect(seen).toEqual([undefined]);
  });

  it('takes a broken transfer up at the byte it reached', async () => {
    plan = [{ cutAt: 1_000_000 }, { cutAt: 2_200_000 }];
    seen = [];
    expect((await download()).equals(DATA)).toBe(true);
    expect(seen[0]).toBeUndefined();
    expect(seen).toHaveLength(3);
    // Where each resume starts is where the transfer before it stopped (at least the bytes the server sent).
    const starts = seen.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r ?? '')?.[1]));
    expect(starts[0]).toBeGreaterThan(0);
    expect(starts[1]).toBeGreaterThan(starts[0]!);
  });

  it('gives up when a resume brings nothing more', async () => {
    plan = [{ cutAt: 500_000 }, { cutAt: 0 }];
    seen = [];
    await expectCode(download(), 'network_error', /stopped at byte \d+ of 3000000 .*after 2 tries/);
  });

  it('refuses a server that answers a resume from the start', async () => {
    plan = [{ cutAt: 500_000 }, { ignoreRange: true }];
    await expectCode(download(), 'bad_response', /did not resume the transfer/);
  });

  it('refuses bytes that are not the published file', async () => {
    const tampered = Buffer.from(DATA);
    tampered[1234] = tampered[1234]! ^ 0xff;
    plan = [{ body: tampered }];
    await expectCode(
      download(),
      'bad_response',
      /is not the published file: 3000000 bytes with sha256 [0-9a-f]{64}/,
    );
    plan = [{ body: DATA.subarray(0, 1000) }];
    await expectCode(download(), 'bad_response', /it has 1000 bytes, the manifest says 3000000/);
    plan = [{ body: Buffer.concat([DATA, Buffer.from('x')]) }];
    await expectCode(download(), 'bad_response', /longer than the published 3000000 bytes/);
  });

  it('stops at once when cancelled, without retrying', async () => {
    const controller = new AbortController();
    plan = [{}];
    seen = [];
    const spool = await openSpool();
    const get = async (headers: Record<string, string>) => {
      const response = await fetch(url, { headers, signal: controller.signal });
      controller.abort();
      return response;
    };
    await expect(downloadVerified(FILE, { get, spool, signal: controller.signal })).rejects.toThrow(/abort/i);
    await spool.remove();
    expect(seen).toHaveLength(1);
  });
});
