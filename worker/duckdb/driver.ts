// Wraps an instantiated AsyncDuckDB (DuckDB in its own worker) into the engine's DuckDatabase contract: session setup, files, restarts.
import * as duckdb from '@duckdb/duckdb-wasm';
import { QueryError } from '../errors.ts';
import { NO_CONNECTION } from './call-queue.ts';
import type { FetchChunks } from './chunk-port.ts';
import { withChunkPort } from './driver-head.ts';
import { givenFilePath, lockdown } from './lockdown.ts';
import type { DuckDatabase, StartupTimings } from './types.ts';
import { WasmConnection, healthOf } from './wasm-connection.ts';

export interface WrapOptions {
  path: string;
  persistent: boolean;
  startup?: StartupTimings;
  /**
   * How `registerFileHandle` gives DuckDB a file: `filereader` hands over the handle, read as DuckDB scans
   * (the browser); `buffer` copies its bytes in (DuckDB-WASM's Node runtime has no FileReaderSync; tests only).
   * @default 'buffer'
   */
  fileHandles?: 'filereader' | 'buffer';
  /** Several result chunks per round trip, when DuckDB's worker has the chunk port (chunk-port.ts). */
  fetchChunks?: FetchChunks;
  /** Runs after the database is closed (releases locks, terminates workers). */
  onClose?: () => Promise<void> | void;
}

/** Applies the lockdown (lockdown.ts) on a connection of its own; DuckDB keeps the settings for the database's life. */
async function lockDown(db: duckdb.AsyncDuckDB, path: string): Promise<void> {
  const id = await db.connectInternal();
  try {
    // One call of several statements (DuckDB runs them in order and stops at a failure): one round trip, not seven.
    await db.runQuery(id, lockdown(path).join(';\n'));
  } finally {
    await db.disconnect(id);
  }
}

export async function wrapDuckDB(db: duckdb.AsyncDuckDB, options: WrapOptions): Promise<DuckDatabase> {
  const [version] = await Promise.all([db.getVersion(), lockDown(db, options.path)]);
  let closed = false;
  const health = healthOf(
    options.persistent,
    'its worker was terminated and restarts for the next query',
    () => void db.terminate(),
  );
  const calls = health.queue.track(options.fetchChunks ? withChunkPort(db, options.fetchChunks) : db);
  // A terminated worker never answers: calls in line fail with the reason instead of hanging their caller.
  const inLine = <T>(call: () => Promise<T>) => health.queue.run(NO_CONNECTION, call);
  return {
    path: options.path,
    persistent: options.persistent,
    startup: options.startup,
    version,
    get broken() {
      return health.broken;
    },
    async connect() {
      if (health.broken) throw new QueryError('internal', health.broken);
      return new WasmConnection(calls, await inLine(() => db.connectInternal()), health);
    },
    async registerFile(name, bytes) {
      const path = givenFilePath(name);
      await inLine(() => db.registerFileBuffer(path, bytes));
      return path;
    },
    async registerFileHandle(name, file) {
      const path = givenFilePath(name);
      if (options.fileHandles === 'filereader') {
        await inLine(() =>
          db.registerFileHandle(path, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true),
        );
      } else {
        const bytes = new Uint8Array(await file.arrayBuffer());
        await inLine(() => db.registerFileBuffer(path, bytes));
      }
      return path;
    },
    async dropFile(name) {
      await inLine(() => db.dropFile(givenFilePath(name)));
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.terminate();
      await options.onClose?.();
    },
  };
}

export { duckdb };
