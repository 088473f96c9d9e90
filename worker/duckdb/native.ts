// Native DuckDB (@duckdb/node-api, the engine version inside DuckDB-WASM) behind the DuckDatabase contract: files that persist.
import {
  BOOLEAN,
  DOUBLE,
  DuckDBInstance,
  SQLNULL,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBResult,
  type DuckDBType,
} from '@duckdb/node-api';
import { tableToIPC, type Table } from 'apache-arrow';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { NotReadyError, errorMessage } from '../errors.ts';
import { qualified, sqlValue } from '../sql.ts';
import {
  checkCallSize,
  mayHoldSeveral,
  notOneStatement,
  runUnderSignal,
  toDuckParam,
  toQueryError,
} from './errors.ts';
import { appendArrow, stagingFilesIn } from './native-append.ts';
import { countSql, limitSql, tableHead } from './head.ts';
import { countRest, materializedToArrow, resultHead, streamBatches } from './native-arrow.ts';
import { acquire, createLocked, release, type SharedInstance } from './native-instances.ts';
import { openError } from './native-open.ts';
import type {
  BatchOptions,
  DuckConnection,
  DuckDatabase,
  HeadOptions,
  HeadResult,
  InsertTarget,
  OpenDuckDB,
  Param,
  RunOptions,
  StagingFiles,
} from './types.ts';

const EXTENSION_HINT =
  'Extensions are not available: Dinobase never downloads one, and this DuckDB build does not include it.';

/**
 * Binds a parameter with the type DuckDB-WASM gives the same value (its prepared statements take JSON):
 * every number is a DOUBLE. A NULL stays untyped here, where DuckDB-WASM makes it a VARCHAR NULL.
 */
function bindType(value: string | number | boolean | null): DuckDBType {
  if (value === null) return SQLNULL;
  if (typeof value === 'string') return VARCHAR;
  return typeof value === 'boolean' ? BOOLEAN : DOUBLE;
}

class NativeConnection implements DuckConnection {
  #conn: DuckDBConnection;
  /** Where `insertArrow` writes its Parquet files: a directory SQL may read. */
  #fileDir: string;
  #onClose: () => void;
  #tail: Promise<unknown> = Promise.resolve();
  readonly stagingFiles: StagingFiles;

  constructor(conn: DuckDBConnection, fileDir: string, onClose: () => void) {
    this.#conn = conn;
    this.#fileDir = fileDir;
    this.#onClose = onClose;
    this.stagingFiles = stagingFilesIn(fileDir);
  }

  /** One statement at a time per connection, in call order, as the contract promises. */
  #enqueue<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let inner: Promise<T> | undefined;
    const run = this.#tail.then(async () => {
      try {
        // DuckDB's interrupt does not reach planning: past the grace the caller stops waiting, and the statement
        // finishes alone on this connection (callers take another, see QueryEngine).
        return await runUnderSignal(signal, () => (inner = task()), {
          engine: 'DuckDB',
          cancel: () => this.#conn.interrupt(),
          onHung: (notStopped) =>
            `${notStopped}: it finishes in the background, and later queries run on another connection.`,
        });
      } catch (error) {
        throw toQueryError(error, signal, EXTENSION_HINT);
      }
    });
    // The next call waits for the statement itself, even when its caller stopped waiting for it.
    this.#tail = run.then(
      () => undefined,
      () => inner?.catch(() => undefined),
    );
    return run;
  }

  async #check(sql: string, single: boolean | undefined): Promise<void> {
    // The same limit as DuckDB-WASM's, so both drivers refuse the same inputs.
    checkCallSize(sql);
    if (single && mayHoldSeveral(sql)) {
      // Parsing only: DuckDB's own count of the statements in the text.
      const { count } = await this.#conn.extractStatements(sql);
      if (count !== 1) throw notOneStatement(count);
    }
  }

  query(sql: string, options: RunOptions = {}): Promise<Table> {
    return this.#enqueue(async () => {
      await this.#check(sql, options.single);
      return materializedToArrow(await this.#conn.run(sql));
    }, options.signal);
  }

  /**
   * A read DuckDB can wrap runs once under `LIMIT maxRows + 1`, materialised (one call into DuckDB, where a
   * stream takes three or four), and DuckDB counts the rest only when there is more. Other statements stream:
   * past the head, their rest is fetched only to be counted.
   */
  queryHead(sql: string, options: HeadOptions): Promise<HeadResult> {
    return this.#enqueue(async () => {
      await this.#check(sql, options.single);
      if (options.wrappable) {
        try {
          return await this.#limitedHead(sql, options);
        } catch (error) {
          // An error that points into the text would point into the wrapping: the statement alone says it
          // (such errors come from parsing and binding, so the retry is cheap).
          if (options.signal?.aborted || !/\bLINE \d+:|^Parser Error/.test(errorMessage(error))) throw error;
        }
      }
      const result = await this.#stream(sql, options.single);
      const { table, ended } = await resultHead(result, options.maxRows);
      const totalRows = table.numRows + (ended ? 0 : await countRest(result));
      return tableHead(table, totalRows);
    }, options.signal);
  }

  async #limitedHead(sql: string, { maxRows, single }: HeadOptions): Promise<HeadResult> {
    const text = limitSql(sql, maxRows + 1);
    // The wrappings must not open a way out of the one-statement check.
    await this.#check(text, single);
    const result = await this.#conn.run(text);
    let names = result.columnNames();
    // The subquery renames duplicate names (`a`, `a` → `a`, `a_1`); the statement's own come from preparing it.
    if (names.some((name) => /_\d+$/.test(name))) {
      const prepared = await this.#conn.prepare(sql);
      names = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i));
      prepared.destroySync();
    }
    const table = materializedToArrow(result, names);
    if (table.numRows <= maxRows) return tableHead(table, table.numRows);
    const count = countSql(sql);
    await this.#check(count, single);
    const counted = await this.#conn.runAndReadAll(count);
    return tableHead(table, Number(counted.getRows()[0]![0]));
  }

  /**
   * One checked statement is prepared and streamed in two calls to DuckDB, where `stream` makes three. A
   * statement DuckDB expands into several (PIVOT without an IN list) cannot be prepared whole: `stream` runs it.
   */
  async #stream(sql: string, single: boolean | undefined): Promise<DuckDBResult> {
    if (!single) return this.#conn.stream(sql);
    let prepared;
    try {
      prepared = await this.#conn.prepare(sql);
    } catch (error) {
      if (/Cannot prepare multiple statements/.test(errorMessage(error))) return this.#conn.stream(sql);
      throw error;
    }
    try {
      return await prepared.stream();
    } finally {
      prepared.destroySync();
    }
  }

  queryBatches(sql: string, options: BatchOptions): Promise<void> {
    return this.#enqueue(async () => {
      await this.#check(sql, options.single);
      await streamBatches(await this.#stream(sql, options.single), options.onBatch, options.signal);
    }, options.signal);
  }

  async queryIPC(sql: string, options: RunOptions = {}): Promise<Uint8Array> {
    return tableToIPC(await this.query(sql, options), 'stream');
  }

  queryParams(sql: string, params: readonly Param[]): Promise<Table> {
    const values = params.map(toDuckParam);
    return this.#enqueue(async () => {
      checkCallSize(sql, params);
      return materializedToArrow(await this.#conn.run(sql, values, values.map(bindType)));
    });
  }

  insertArrow(table: Table, target: InsertTarget): Promise<void> {
    return this.#enqueue(() => appendArrow(this.#conn, table, target, this.#fileDir));
  }

  /** The json extension is built into native DuckDB: `read_json` infers the columns as DuckDB-WASM's reader does. */
  async insertJSONFromPath(path: string, target: InsertTarget): Promise<void> {
    const table = qualified(target.schema, target.name);
    const read = `SELECT * FROM read_json(${sqlValue(path)}, format = 'array')`;
    await this.query(
      target.create ? `CREATE TABLE ${table} AS ${read}` : `INSERT INTO ${table} BY NAME ${read}`,
    );
  }

  /** Closes after the call in flight, which is interrupted when `interrupt` is set. */
  close(options: { interrupt?: boolean } = {}): Promise<void> {
    this.#onClose();
    if (options.interrupt) this.#conn.interrupt();
    return this.#enqueue(async () => this.#conn.closeSync());
  }
}

/** The DuckDB release this package links (`v1.4.3`), the same engine as DuckDB-WASM 1.32. */
export async function nativeVersion(): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    return await versionOf(instance);
  } finally {
    instance.closeSync();
  }
}

class NativeDatabase implements DuckDatabase {
  readonly path: string;
  readonly persistent: boolean;
  readonly version: string;
  #instance: DuckDBInstance;
  #onClose: () => void;
  /** Open connections keep a DuckDB alive (and its file locked), so closing closes them all. */
  #connections = new Set<NativeConnection>();
  #files = new Map<string, string>();
  #fileDir: string;
  #closed = false;

  constructor(path: string, version: string, instance: DuckDBInstance, fileDir: string, onClose: () => void) {
    this.path = path;
    this.persistent = path !== ':memory:';
    this.version = version;
    this.#instance = instance;
    this.#fileDir = fileDir;
    this.#onClose = onClose;
  }

  async connect(): Promise<DuckConnection> {
    const conn = await this.#instance.connect();
    const connection = new NativeConnection(conn, this.#fileDir, () => this.#connections.delete(connection));
    this.#connections.add(connection);
    return connection;
  }

  /** DuckDB reads real files here, so the bytes go to a file in a private temporary directory. */
  async registerFile(name: string, bytes: Uint8Array): Promise<string> {
    const path = join(this.#fileDir, basename(name));
    await writeFile(path, bytes, { mode: 0o600 });
    this.#files.set(name, path);
    return path;
  }

  /** Native DuckDB reads real files: the Blob is streamed to a private copy, never held whole in memory. */
  async registerFileHandle(name: string, file: Blob): Promise<string> {
    const path = join(this.#fileDir, basename(name));
    await pipeline(
      Readable.fromWeb(file.stream() as WebReadableStream),
      createWriteStream(path, { mode: 0o600 }),
    );
    this.#files.set(name, path);
    return path;
  }

  async dropFile(name: string): Promise<void> {
    const path = this.#files.get(name);
    this.#files.delete(name);
    if (path) await unlink(path).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#connections].map((c) => c.close({ interrupt: true })));
    await Promise.all([...this.#files.keys()].map((name) => this.dropFile(name)));
    this.#onClose();
  }
}

/**
 * Opens a database file (created, with its directory, if missing) or `:memory:`. A file another process
 * holds fails with NotReadyError `locked` naming that process; a file from a newer DuckDB fails with a
 * ConfigError naming both versions.
 */
export const openNativeDuckDB: OpenDuckDB = async ({ path, readOnly = false, exportDir }) => {
  const memory = path === ':memory:' || path === '';
  if (memory) {
    const fileDir = await mkdtemp(join(tmpdir(), 'dinobase-files-'));
    const instance = await createLocked(':memory:', fileDir, {}, exportDir);
    return new NativeDatabase(':memory:', await versionOf(instance), instance, fileDir, () => {
      instance.closeSync();
      void rm(fileDir, { recursive: true, force: true });
    });
  }
  const file = resolve(path);
  let shared: SharedInstance;
  try {
    shared = await acquire(file, readOnly, exportDir);
  } catch (error) {
    if (error instanceof NotReadyError) throw error;
    throw openError(error, file, await nativeVersion());
  }
  return new NativeDatabase(file, await versionOf(shared.instance), shared.instance, shared.fileDir, () =>
    release(file, shared),
  );
};

async function versionOf(instance: DuckDBInstance): Promise<string> {
  const conn = await instance.connect();
  try {
    return String((await conn.runAndReadAll('SELECT version() AS v')).getRowObjects()[0]!.v);
  } finally {
    conn.closeSync();
  }
}
