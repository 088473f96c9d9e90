// parquet-wasm in the worker: its .wasm is a build asset (Vite `?url`), instantiated once, on the first pull.
import init, * as parquet from 'parquet-wasm/esm';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';

export type ParquetWasm = Pick<typeof parquet, 'ParquetFile'>;

let ready: Promise<ParquetWasm> | null = null;

export function parquetWasm(): Promise<ParquetWasm> {
  ready ??= init({ module_or_path: wasmUrl }).then(
    () => parquet,
    (error: unknown) => {
      ready = null;
      throw error;
    },
  );
  return ready;
}
