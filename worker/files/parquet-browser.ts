// parquet-wasm in the browser: the ESM build, its wasm fetched from this origin (Vite emits it) the first time a file needs it.
import init, * as parquet from 'parquet-wasm/esm';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import type { ParquetWasm } from './parquet.ts';

let ready: Promise<unknown> | null = null;

export async function loadParquetWasm(): Promise<ParquetWasm> {
  ready ??= init({ module_or_path: wasmUrl });
  await ready;
  return parquet;
}
