// parquet-wasm's API as the engine uses it (import, export, team pulls), and where a downloaded file waits to be read; package.json's "#parquet" import picks the browser or Node build.
import type * as ParquetWasmModule from 'parquet-wasm/esm';

export type ParquetWasm = typeof ParquetWasmModule;

/** Loads (once) and returns parquet-wasm, its WebAssembly instantiated. */
export type LoadParquetWasm = () => Promise<ParquetWasm>;

/**
 * A downloaded file on its way to parquet-wasm, kept out of the JS heap (a temporary file in Node, Blob storage
 * in the browser, which Chromium pages to disk) so a pull holds a row group at a time, not the whole file.
 */
export interface Spool {
  write(chunk: Uint8Array): Promise<void>;
  /** Every byte written, as a Blob parquet-wasm reads by slices (`ParquetFile.fromFile`); nothing is written after. */
  blob(): Promise<Blob>;
  /** Lets the bytes go; safe to call more than once, and after a failed write. */
  remove(): Promise<void>;
}

export type OpenSpool = () => Promise<Spool>;
