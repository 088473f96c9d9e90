// parquet-wasm in the browser worker: its .wasm is a Vite asset of the app (precached with DuckDB's), never fetched elsewhere.
import init, * as parquet from 'parquet-wasm/esm';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import type { LoadParquetWasm, ParquetWasm } from './types.ts';

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
