// The narrow database contract the engines depend on; nothing here imports DuckDB-WASM.
import type { Table } from 'apache-arrow';

export interface RunOptions {
  /** Aborting interrupts the running statement; the promise rejects with a QueryError code 'interrupted'. */
  signal?: AbortSignal;
}

export type Param = string | number | boolean | null | bigint;

export interface InsertTarget {
  schema: string;
  name: string;
  /** Create the table from the Arrow schema instead of appending to an existing one. */
  create: boolean;
}

/** One DuckDB connection. Calls on one connection run one after another, in call order. */
export interface DuckConnection {
  query(sql: string, options?: RunOptions): Promise<Table>;
  /** The same result as an Arrow IPC stream, ready to transfer to another thread without re-encoding. */
  queryIPC(sql: string, options?: RunOptions): Promise<Uint8Array>;
  /** Runs a prepared statement with positional `?` parameters. */
  queryParams(sql: string, params: readonly Param[]): Promise<Table>;
  insertArrow(table: Table, target: InsertTarget): Promise<void>;
  close(): Promise<void>;
}

export interface DuckDatabase {
  readonly path: string;
  /** True when committed work survives a restart (OPFS in the browser). */
  readonly persistent: boolean;
  readonly version: string;
  connect(): Promise<DuckConnection>;
  /** Times duckdb-wasm's own `AsyncDuckDBConnection.query` (the benchmark baseline); returns ms per run. */
  timeRawQuery(sql: string, runs: number): Promise<{ runs: number[]; rows: number }>;
  close(): Promise<void>;
}

export interface OpenOptions {
  path: string;
}

export type OpenDuckDB = (options: OpenOptions) => Promise<DuckDatabase>;
