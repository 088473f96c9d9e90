// The narrow database contract the engines depend on; nothing here imports DuckDB-WASM.
import type { Schema, Table } from 'apache-arrow';
import type { DuckDBDriver } from '../../common/duckdb-driver.ts';
import type { IpcMessages } from '../../common/arrow.ts';

export interface RunOptions {
  /** Aborting interrupts the running statement; the promise rejects with a QueryError code 'interrupted'. */
  signal?: AbortSignal;
  /**
   * DuckDB itself must read the text as exactly one statement, or nothing runs (QueryError 'refused'): the
   * second line of defence behind the engine's own splitting.
   */
  single?: boolean;
}

export interface HeadOptions extends RunOptions {
  /** How many rows the caller shows: at least this many come back when the result has them. */
  maxRows: number;
  /**
   * The caller vouches that `sql` is one plain query (SELECT, WITH, FROM, VALUES) that DuckDB can read as a
   * subquery: then the total of a longer result is counted by `SELECT count(*) FROM (<sql>)` instead of moving
   * the remaining rows (see docs/ARCHITECTURE.md, Bounded results).
   */
  wrappable?: boolean;
}

/** The first rows of a result and how many it has in all. */
export interface HeadResult {
  /**
   * The first rows: all of them when `totalRows <= maxRows`, else at least `maxRows` (a chunk may add more).
   * DuckDB-WASM decodes it from `ipc` only when it is read: a caller that passes the bytes on never pays for it.
   */
  readonly table: Table;
  /** `table`'s columns, without decoding its rows. */
  schema: Schema;
  /** `table.numRows`, without decoding it. */
  rows: number;
  /** `table` as an Arrow IPC stream's messages when the driver has them without re-encoding (DuckDB-WASM), else null. */
  ipc: IpcMessages | null;
  totalRows: number;
}

export interface BatchOptions extends RunOptions {
  /**
   * Called with each piece of the result in order (a DuckDB chunk or a few), the next fetched only after the
   * returned promise settles, so a slow consumer holds back DuckDB instead of piling the result up in memory.
   */
  onBatch: (batch: Table) => Promise<void> | void;
}

export type Param = string | number | boolean | null | bigint;

export interface InsertTarget {
  schema: string;
  name: string;
  /** Create the table from the Arrow schema instead of appending to an existing one. */
  create: boolean;
}

/**
 * Batches kept as files SQL reads back, in place of rows inserted into a table (native DuckDB; DuckDB-WASM's
 * offline build has no Parquet reader). A file's columns are `c0`, `c1`, … in the batch's order and types.
 */
export interface StagingFiles {
  /** Whether every column of `table` is a type the file writer takes. */
  accepts(table: Table): boolean;
  /** Writes `table`; the path `read_parquet` takes, and the file's size. */
  write(table: Table): Promise<{ path: string; bytes: number }>;
  /**
   * How many bytes of files one load may hold: past it, staging goes on in a table. The files sit in the
   * temporary directory, which may be memory (tmpfs).
   */
  readonly limitBytes: number;
  /** Deletes files `write` made; a missing one is not an error. */
  remove(paths: readonly string[]): Promise<void>;
}

/** One DuckDB connection. Calls on one connection run one after another, in call order. */
export interface DuckConnection {
  query(sql: string, options?: RunOptions): Promise<Table>;
  /** The same result as an Arrow IPC stream, ready to transfer to another thread without re-encoding. */
  queryIPC(sql: string, options?: RunOptions): Promise<Uint8Array>;
  /** Reads the first `maxRows` rows of a read and its exact row count, without holding the rest in memory. */
  queryHead(sql: string, options: HeadOptions): Promise<HeadResult>;
  /**
   * Streams a read's whole result to `onBatch`, batch by batch, never all of it in memory (export). The schema
   * comes first as an empty table, so a result without rows still has its columns.
   */
  queryBatches(sql: string, options: BatchOptions): Promise<void>;
  /** Runs a prepared statement with positional `?` parameters. */
  queryParams(sql: string, params: readonly Param[]): Promise<Table>;
  insertArrow(table: Table, target: InsertTarget): Promise<void>;
  /**
   * Loads a JSON file (one array of objects) given to `registerFileHandle`/`registerFile` into a table, column
   * types inferred: DuckDB-WASM's own JSON reader (the offline build has no json extension), native `read_json`.
   */
  insertJSONFromPath(path: string, target: InsertTarget): Promise<void>;
  /** Present where batches can be staged as files (see StagingFiles). */
  readonly stagingFiles?: StagingFiles;
  close(): Promise<void>;
}

export interface DuckDatabase {
  readonly path: string;
  /** True when committed work survives a restart (OPFS in the browser, a file in native DuckDB). */
  readonly persistent: boolean;
  readonly version: string;
  /** Where opening spent its time (browser only), for the status line and `npm run bench`. */
  readonly startup?: StartupTimings;
  /**
   * Why this database can no longer answer (DuckDB-WASM crashed, or a statement it could not interrupt was
   * stopped by terminating its worker); the owner closes it and opens a fresh one.
   */
  readonly broken?: string | null;
  connect(): Promise<DuckConnection>;
  /**
   * Makes `bytes` readable by SQL, e.g. to ATTACH a backup, under a plain file `name`; returns the path SQL
   * reads it by (the only files SQL may read besides the database). Takes ownership of the buffer.
   */
  registerFile(name: string, bytes: Uint8Array): Promise<string>;
  /**
   * Makes a browser `File` (or any Blob) readable by SQL under a plain file `name` without reading it into
   * memory: DuckDB-WASM reads the handle as it scans (BROWSER_FILEREADER); native DuckDB gets a private copy
   * on disk. Returns the path SQL reads it by, inside the lockdown's GIVEN_FILES_DIR; `dropFile` forgets it.
   */
  registerFileHandle(name: string, file: Blob): Promise<string>;
  /** Forgets a file given to `registerFile` or `registerFileHandle` under `name`. */
  dropFile(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface StartupTimings {
  /**
   * Which DuckDB-WASM bindings ran: `async` in DuckDB's own nested worker (the default), `blocking` in the
   * engine's worker itself (opt-in, `?duckdb=blocking`; see docs/ARCHITECTURE.md, Query path).
   */
  driver: DuckDBDriver;
  /** Fetching and compiling the wasm and starting DuckDB's worker. */
  instantiate_ms: number;
  /** Opening the database file: waiting for the file lock, the OPFS handles, WAL replay. */
  open_ms: number;
}

export interface OpenOptions {
  path: string;
  /** Open a database file for reading only (native DuckDB; several processes may read one file at once). */
  readOnly?: boolean;
  /**
   * Native DuckDB only: one more directory SQL may write to (`COPY … TO`), for the server's publisher
   * (node/publish/), which owns it. Fixed when the file's instance is created: the lockdown is locked then.
   */
  exportDir?: string;
}

export type OpenDuckDB = (options: OpenOptions) => Promise<DuckDatabase>;
