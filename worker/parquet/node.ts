// parquet-wasm in Node (the CLI, tests, the wasm driver's tests): its Node build instantiates on import.
import type { LoadParquetWasm, ParquetWasm } from './types.ts';

export const loadParquetWasm: LoadParquetWasm = async () =>
  // The Node build declares the same classes as the ESM one, in a .d.ts of its own.
  (await import('parquet-wasm/node')) as unknown as ParquetWasm;
