// Bench-only probe for issue 13's P1 hint: DuckDB-WASM's blocking bindings inside one worker, no nested DuckDB worker.
import * as duckdb from '@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs';
import * as Comlink from 'comlink';
import { yieldToEventLoop } from '../common/event-loop.ts';
import { ipcTransfer, type IpcMessages } from '../common/arrow.ts';
import { toQueryError } from '../worker/duckdb/errors.ts';
import { lockdown } from '../worker/duckdb/lockdown.ts';
import { healEmptyWal, retryWhileBusy } from '../worker/duckdb/opfs-wal.ts';
import { QueryError } from '../worker/errors.ts';

/** What the page asks of the probe worker (bench/bench-blocking.ts exposes it over Comlink). */
export interface BlockingProbe {
  /**
   * Compiles and instantiates the eh wasm from `wasm` (the app's own URL, so the same caches apply); returns the
   * milliseconds that took inside this worker.
   */
  instantiate(request: { wasm: string }): Promise<number>;
  /** Opens `path` (`opfs://…` or `:memory:`) as the product's driver opens it, lockdown included. */
  open(request: { path: string }): Promise<{ persistent: boolean; version: string }>;
  /**
   * A statement's whole result as one Arrow IPC stream (transferred). `pending` (the default) runs it as the
   * product runs a read, cancellable; `run` in one `runQuery` call, which nothing can interrupt (for contrast).
   */
  query(request: { sql: string; queryId: string; mode?: 'pending' | 'run' }): Promise<IpcMessages>;
  /** Where the last query's time went inside this worker. */
  lastQuery(): Promise<QueryStats>;
  /** Interrupts the query `queryId`; false when it is not running. */
  cancel(request: { queryId: string }): Promise<boolean>;
}

export interface QueryStats {
  /** From the call's arrival to its result ready to transfer. */
  total_ms: number;
  /** Inside DuckDB's calls (start, polls, fetches, or the one runQuery). */
  duckdb_ms: number;
  polls: number;
  chunks: number;
  /** Trips through the event loop (when a cancel could get in). */
  yields: number;
}

/**
 * How long a query may hold the probe's thread before it lets a cancel in: far below the 500 ms goal, and above
 * what a small read takes in all, which then never pays for a trip through the event loop.
 */
const YIELD_AFTER_MS = 20;

interface Opened {
  bindings: duckdb.DuckDBBindings;
  conn: number;
}

/**
 * The probe's state: one database and one connection, queries one at a time. Every call into DuckDB blocks
 * this worker, so a cancel message is handled only between two calls: between polls and fetched chunks,
 * `query` yields to the event loop once it has held the thread YIELD_AFTER_MS, which is when `cancel` can run.
 */
export function createBlockingProbe(): BlockingProbe {
  let bindings: duckdb.DuckDBBindings | null = null;
  let opened: Opened | null = null;
  let running: { queryId: string; controller: AbortController } | null = null;
  let stats: QueryStats = { total_ms: 0, duckdb_ms: 0, polls: 0, chunks: 0, yields: 0 };
  /** Runs one call into DuckDB, its time counted in `stats`. */
  const timed = <T>(call: () => T): T => {
    const started = performance.now();
    try {
      return call();
    } finally {
      stats.duckdb_ms += performance.now() - started;
    }
  };

  /** Streamed, as the product's bounded read (queryHead) runs every read. */
  const pending = async (db: duckdb.DuckDBBindings, conn: number, sql: string, signal: AbortSignal) => {
    let lastYield = performance.now();
    /** Lets a cancel message in once the thread has been DuckDB's for YIELD_AFTER_MS. */
    const letCancelIn = async () => {
      if (performance.now() - lastYield < YIELD_AFTER_MS) return;
      await yieldToEventLoop();
      stats.yields++;
      lastYield = performance.now();
      if (signal.aborted) throw toQueryError(new Error('interrupted'), signal);
    };
    let header = timed(() => db.startPendingQuery(conn, sql, true));
    while (header == null) {
      // Each poll runs DuckDB's tasks for up to its polling interval (100 ms by default).
      await letCancelIn();
      stats.polls++;
      header = timed(() => db.pollPendingQuery(conn));
    }
    const chunks = [header];
    for (;;) {
      // A streamed result computes as it is fetched, so a cancel must get in between chunks too.
      await letCancelIn();
      const chunk = timed(() => db.fetchQueryResults(conn));
      if (chunk == null) continue;
      if (chunk.byteLength === 0) break;
      stats.chunks++;
      chunks.push(chunk);
    }
    // As the product's head: the messages as they came, never joined (common/arrow.ts, IpcMessages).
    return chunks;
  };

  const ready = (): Opened => {
    if (!opened)
      throw new QueryError('not_ready', 'The blocking probe has no open database: call open() first.');
    return opened;
  };

  return {
    async instantiate({ wasm }) {
      const started = performance.now();
      // As the product's DuckDB worker prelude does (worker/duckdb/browser.ts): without TransformStream,
      // duckdb-wasm compiles the fetched Response itself, which V8 may code-cache.
      (self as unknown as Record<string, unknown>).TransformStream = undefined;
      const bundle = { mainModule: wasm, mainWorker: '' };
      const created = await duckdb.createDuckDB(
        { mvp: bundle, eh: bundle },
        new duckdb.VoidLogger(),
        duckdb.BROWSER_RUNTIME,
      );
      bindings = await created.instantiate(() => undefined);
      return performance.now() - started;
    },

    async open({ path }) {
      if (!bindings)
        throw new QueryError(
          'not_ready',
          'The blocking probe is not instantiated: call instantiate() first.',
        );
      const persistent = path.startsWith('opfs://');
      const target = bindings;
      if (persistent) {
        // As the product's driver claims the file (worker/duckdb/browser.ts), then what DuckDB's async worker
        // does on OPEN: sync access handles for the file and its WAL, retried while a terminated probe's linger.
        await healEmptyWal(path);
        await retryWhileBusy(() =>
          target.prepareDBFileHandle(path, duckdb.DuckDBDataProtocol.BROWSER_FSACCESS),
        );
      }
      target.open({
        path,
        accessMode: persistent ? duckdb.DuckDBAccessMode.READ_WRITE : undefined,
        useDirectIO: persistent,
        query: { castBigIntToDouble: false, castDecimalToDouble: false },
      });
      const conn = target.connect().useUnsafe((_, id) => id);
      target.runQuery(conn, lockdown(path).join(';\n'));
      opened = { bindings: target, conn };
      return { persistent, version: target.getVersion() };
    },

    async query({ sql, queryId, mode = 'pending' }) {
      const { bindings: db, conn } = ready();
      if (running)
        throw new QueryError(
          'busy',
          `The probe is running "${running.queryId}"; "${queryId}" must wait for it.`,
        );
      const controller = new AbortController();
      running = { queryId, controller };
      const { signal } = controller;
      const started = performance.now();
      stats = { total_ms: 0, duckdb_ms: 0, polls: 0, chunks: 0, yields: 0 };
      try {
        const ipc =
          mode === 'run' ? [timed(() => db.runQuery(conn, sql))] : await pending(db, conn, sql, signal);
        stats.total_ms = performance.now() - started;
        return Comlink.transfer(ipc, ipcTransfer(ipc));
      } catch (error) {
        throw toQueryError(error, signal);
      } finally {
        running = null;
      }
    },

    async lastQuery() {
      return stats;
    },

    async cancel({ queryId }) {
      if (running?.queryId !== queryId) return false;
      running.controller.abort(new Error('cancelled by the user'));
      // Runs between two of the query's calls into DuckDB (it yielded), never during one.
      const { bindings: db, conn } = ready();
      db.cancelPendingQuery(conn);
      return true;
    },
  };
}
