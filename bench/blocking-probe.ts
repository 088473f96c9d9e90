// Bench-only probe for issue 13's P1 hint: DuckDB-WASM's blocking bindings inside one worker, no nested DuckDB worker.
import * as duckdb from '@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs';
import * as Comlink from 'comlink';
import { yieldToEventLoop } from '../common/event-loop.ts';
import { END_OF_STREAM, concat } from '../worker/duckdb/driver-head.ts';
import { toQueryError } from '../worker/duckdb/errors.ts';
import { lockdown } from '../worker/duckdb/lockdown.ts';
import { healEmptyWal, retryWhileBusy } from '../worker/duckdb/opfs-wal.ts';
import { QueryError } from '../worker/errors.ts';

/** What the page asks of the probe worker (bench/bench-blocking.ts exposes it over Comlink). */
export interface BlockingProbe {
  /** Compiles and instantiates the eh wasm from `wasm` (the app's own URL, so the same caches apply). */
  instantiate(request: { wasm: string }): Promise<void>;
  /** Opens `path` (`opfs://…` or `:memory:`) as the product's driver opens it, lockdown included. */
  open(request: { path: string }): Promise<{ persistent: boolean; version: string }>;
  /** A statement's whole result as one Arrow IPC stream (transferred), run as the product runs a read. */
  query(request: { sql: string; queryId: string }): Promise<Uint8Array>;
  /** Interrupts the query `queryId`; false when it is not running. */
  cancel(request: { queryId: string }): Promise<boolean>;
}

interface Opened {
  bindings: duckdb.DuckDBBindings;
  conn: number;
}

/**
 * The probe's state: one database and one connection, queries one at a time. Every call into DuckDB blocks
 * this worker, so a cancel message is handled only between two calls: `query` yields to the event loop after
 * each poll and each fetched chunk, which is when `cancel` can run.
 */
export function createBlockingProbe(): BlockingProbe {
  let bindings: duckdb.DuckDBBindings | null = null;
  let opened: Opened | null = null;
  let running: { queryId: string; controller: AbortController } | null = null;

  const ready = (): Opened => {
    if (!opened)
      throw new QueryError('not_ready', 'The blocking probe has no open database: call open() first.');
    return opened;
  };

  return {
    async instantiate({ wasm }) {
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

    async query({ sql, queryId }) {
      const { bindings: db, conn } = ready();
      if (running)
        throw new QueryError(
          'busy',
          `The probe is running "${running.queryId}"; "${queryId}" must wait for it.`,
        );
      const controller = new AbortController();
      running = { queryId, controller };
      const { signal } = controller;
      try {
        // Streamed, as the product's bounded read (queryHead) runs every read.
        let header = db.startPendingQuery(conn, sql, true);
        while (header == null) {
          await yieldToEventLoop();
          // After a cancel, DuckDB's poll fails with "query was canceled".
          header = db.pollPendingQuery(conn);
        }
        const chunks = [header];
        for (;;) {
          // A streamed result computes as it is fetched, so a cancel must get in between chunks too.
          await yieldToEventLoop();
          if (signal.aborted) throw toQueryError(new Error('interrupted'), signal);
          const chunk = db.fetchQueryResults(conn);
          if (chunk == null) continue;
          if (chunk.byteLength === 0) break;
          chunks.push(chunk);
        }
        chunks.push(END_OF_STREAM);
        const ipc = concat(chunks);
        return Comlink.transfer(ipc, [ipc.buffer as ArrayBuffer]);
      } catch (error) {
        throw toQueryError(error, signal);
      } finally {
        running = null;
      }
    },

    async cancel({ queryId }) {
      if (running?.queryId !== queryId) return false;
      running.controller.abort(new Error('cancelled by the user'));
      // Runs between two of the query's calls into DuckDB (it yielded), never during one.
      ready().bindings.cancelPendingQuery(ready().conn);
      return true;
    },
  };
}
