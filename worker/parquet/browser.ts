// parquet-wasm in the browser worker (its .wasm is a Vite asset of the app, precached with DuckDB's, never fetched elsewhere), and Blob spools.
import init, * as parquet from 'parquet-wasm/esm';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import type { LoadParquetWasm, OpenSpool, ParquetWasm } from './types.ts';

let ready: Promise<ParquetWasm> | null = null;

export const loadParquetWasm: LoadParquetWasm = () => {
  ready ??= init({ module_or_path: wasmUrl }).then(
    () => parquet,
    (error: unknown) => {
      ready = null;
      throw error;
    },
  );
  return ready;
};

/** Chunks are folded into the Blob every few MB: the browser then holds them (on disk past its memory budget), not this heap. */
const FOLD_BYTES = 8 << 20;

export const openSpool: OpenSpool = () => {
  let blob = new Blob([]);
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let pendingBytes = 0;
  const fold = () => {
    blob = new Blob([blob, ...pending]);
    pending = [];
    pendingBytes = 0;
  };
  return Promise.resolve({
    write(chunk) {
      pending.push(chunk as Uint8Array<ArrayBuffer>);
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= FOLD_BYTES) fold();
      return Promise.resolve();
    },
    blob() {
      fold();
      return Promise.resolve(blob);
    },
    remove() {
      blob = new Blob([]);
      pending = [];
      return Promise.resolve();
    },
  });
};
