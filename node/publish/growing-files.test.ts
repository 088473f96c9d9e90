import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GrowingFiles } from './growing-files.ts';

const home = mkdtempSync(join(tmpdir(), 'dinobase-growing-'));
afterAll(() => rm(home, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('GrowingFiles', () => {
  it('hashes files appended to while it follows them, in a directory created after it started', async () => {
    const directory = join(home, 'copy');
    const growing = new GrowingFiles(directory);
    await mkdir(directory);
    // Appends of several sizes, some over the 1 MiB read chunk, to two files side by side.
    for (let i = 0; i < 12; i++) {
      await appendFile(join(directory, 'data_0.parquet'), Buffer.alloc(i * 150_000 + 7, i));
      if (i % 3 === 0) await appendFile(join(directory, 'data_1.parquet'), Buffer.alloc(300_001, 255 - i));
    }
    const digests = await growing.finish();
    for (const name of ['data_0.parquet', 'data_1.parquet']) {
      const bytes = await readFile(join(directory, name));
      expect(digests.get(join(directory, name)), name).toEqual({ size: bytes.length, sha256: sha256(bytes) });
    }
    expect(digests.size).toBe(2);
  });

  it('gives nothing for a directory that never appeared (a COPY that failed first)', async () => {
    expect(await new GrowingFiles(join(home, 'never')).finish()).toEqual(new Map());
    await expect(new GrowingFiles(join(home, 'copy')).close()).resolves.toBeUndefined();
  });
});
