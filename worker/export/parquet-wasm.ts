// The parquet-wasm API the export uses; package.json's "#parquet-wasm" import picks the browser or Node loader.
import type * as ParquetWasmModule from 'parquet-wasm/esm';

export type ParquetWasm = Pick<
  typeof ParquetWasmModule,
  'Table' | 'WriterPropertiesBuilder' | 'Compression' | 'transformParquetStream' | 'writeParquet'
>;

/** Loads (once) and returns parquet-wasm, its WebAssembly instantiated. */
export type LoadParquetWasm = () => Promise<ParquetWasm>;
