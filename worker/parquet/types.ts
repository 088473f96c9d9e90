// parquet-wasm's API as the engine uses it (import, export, team pulls); package.json's "#parquet" import picks the browser or Node loader.
import type * as ParquetWasmModule from 'parquet-wasm/esm';

export type ParquetWasm = typeof ParquetWasmModule;

/** Loads (once) and returns parquet-wasm, its WebAssembly instantiated. */
export type LoadParquetWasm = () => Promise<ParquetWasm>;
