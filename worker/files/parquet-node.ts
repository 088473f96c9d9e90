// parquet-wasm in Node: the Node build, which loads its wasm from disk as it is imported.
import type { ParquetWasm } from './parquet.ts';

export async function loadParquetWasm(): Promise<ParquetWasm> {
  return import('parquet-wasm/node');
}
