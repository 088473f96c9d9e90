// parquet-wasm in Node (the CLI, tests, the wasm driver's tests; its Node build instantiates on import), and spools in temporary files.
import { openAsBlob } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadParquetWasm, OpenSpool, ParquetWasm } from './types.ts';

export const loadParquetWasm: LoadParquetWasm = async () =>
  // The Node build declares the same classes as the ESM one, in a .d.ts of its own.
  (await import('parquet-wasm/node')) as unknown as ParquetWasm;

/** A file in a private temporary directory; its Blob (`fs.openAsBlob`) reads the file lazily, slice by slice. */
export const openSpool: OpenSpool = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dinobase-pull-'));
  const path = join(dir, 'file.parquet');
  const file = await open(path, 'w', 0o600);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await file.close();
  };
  return {
    async write(chunk) {
      // A write may take fewer bytes than it was given; the rest follow.
      for (let at = 0; at < chunk.byteLength;)
        at += (await file.write(chunk, at, chunk.byteLength - at)).bytesWritten;
    },
    async blob() {
      await close();
      return openAsBlob(path);
    },
    async remove() {
      await close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
};
