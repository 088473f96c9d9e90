// DuckDB-WASM's blocking bindings (DuckDB on the calling thread, no worker hop per chunk) behind the DuckDatabase contract.
// Types only: the browser's blocking build and the Node one declare the same bindings (DuckDBBindings).
import type { DuckDBBindings, DuckDBDataProtocol } from '@duckdb/duckdb-wasm/blocking';
import { yieldToEventLoop } from '../../common/event-loop.ts';
import { QueryError } from '../errors.ts';
import type { DuckCalls } from './driver-head.ts';
import { givenFilePath, lockdown } from './lockdown.ts';
import type { DuckDatabase, StartupTimings } from './types.ts';
import { WasmConnection, healthOf } from './wasm-connection.ts';

/**
 * How long DuckDB may hold the thread before the next call first lets the event loop run (an abort, a timer, a
 * message): far below the 500 ms a cancel may take, and above what a small read takes in all, which then never
 * pays for the trip (bench/blocking-probe.ts measured it; docs/ARCHITECTURE.md, Query path).
 */
export const YIELD_AFTER_MS = 20;

/**
 * The thread DuckDB shares with everything else running on it. Every call into the bindings blocks it, so an
 * abort listener (which cancels the pending query) runs only between two calls: before a call, once DuckDB has
 * held the thread YIELD_AFTER_MS since the event loop last turned, one trip through the event loop lets it in.
 * Calls run in the order they were made: those that wait, wait in line behind each other.
 */
class Thread {
  #heldSince: number | null = null;
  #closed: string | null = null;

  async run<T>(call: () => T): Promise<T> {
    if (this.#heldSince !== null && performance.now() - this.#heldSince >= YIELD_AFTER_MS) {
      await yieldToEventLoop();
    }
    if (this.#closed) throw new QueryError('not_ready', this.#closed);
    this.#hold();
    return call();
  }

  /** After this every call fails with `reason`: a closed database is not asked again. */
  close(reason: string): void {
    this.#closed = reason;
  }

  #hold(): void {
    if (this.#heldSince !== null) return;
    this.#heldSince = performance.now();
    // The hold ends when the event loop next turns, whatever was awaited in between (microtasks do not count).
    void yieldToEventLoop().then(() => {
      this.#heldSince = null;
    });
  }
}

/** The synchronous bindings as the promise-returning calls a WasmConnection makes, each through `thread`. */
function blockingCalls(bindings: DuckDBBindings, thread: Thread): DuckCalls {
  return {
    runQuery: (conn, text) => thread.run(() => bindings.runQuery(conn, text)),
    startPendingQuery: (conn, text, stream = false) =>
      thread.run(() => bindings.startPendingQuery(conn, text, stream)),
    pollPendingQuery: (conn) => thread.run(() => bindings.pollPendingQuery(conn)),
    // Straight in, not in line: while this JS runs, no call into DuckDB can be running, and the cancel must come before
    // the next poll, which then fails as interrupted.
    cancelPendingQuery: async (conn) => bindings.cancelPendingQuery(conn),
    fetchQueryResults: (conn) => thread.run(() => bindings.fetchQueryResults(conn)),
    createPrepared: (conn, text) => thread.run(() => bindings.createPrepared(conn, text)),
    runPrepared: (conn, statement, params) => thread.run(() => bindings.runPrepared(conn, statement, params)),
    closePrepared: (conn, statement) => thread.run(() => bindings.closePrepared(conn, statement)),
    insertArrowFromIPCStream: (conn, buffer, options) =>
      thread.run(() => bindings.insertArrowFromIPCStream(conn, buffer, options)),
    insertJSONFromPath: (conn, path, options) =>
      thread.run(() => bindings.insertJSONFromPath(conn, path, options)),
    disconnect: (conn) => thread.run(() => bindings.disconnect(conn)),
  };
}

export interface BlockingOptions {
  path: string;
  persistent: boolean;
  startup?: StartupTimings;
  /**
   * The protocol `registerFileHandle` hands a Blob to DuckDB with, read as DuckDB scans (BROWSER_FILEREADER in
   * a browser worker); without one its bytes are copied in (DuckDB-WASM's Node runtime has no FileReaderSync).
   */
  fileReader?: DuckDBDataProtocol;
  /** Runs after the database is closed (releases locks and file handles). */
  onClose?: () => Promise<void> | void;
}

/** A new connection's id: the bindings' DuckDBConnection only carries it. */
function connectionId(bindings: DuckDBBindings): number {
  return bindings.connect().useUnsafe((_, id) => id);
}

/**
 * Wraps instantiated blocking bindings, with the database already open, into the DuckDatabase contract, the
 * lockdown applied first. The same code serves the browser's blocking build and the Node one (blocking-node.ts),
 * since both implement `DuckDBBindings`. Nothing here can stop a statement DuckDB cannot interrupt (it holds
 * this very thread), so `Health.stop` only marks the database broken for its owner to reopen.
 */
export function wrapBlockingDuckDB(bindings: DuckDBBindings, options: BlockingOptions): DuckDatabase {
  const lock = connectionId(bindings);
  try {
    // One call of several statements (DuckDB runs them in order and stops at a failure).
    bindings.runQuery(lock, lockdown(options.path).join(';\n'));
  } finally {
    bindings.disconnect(lock);
  }
  const thread = new Thread();
  const registered = new Set<string>();
  let closed = false;
  // Nothing to stop: the statement that broke it has already given the thread back.
  const health = healthOf(
    options.persistent,
    'the database was given up and reopens for the next query',
    () => {},
  );
  const calls = health.queue.track(blockingCalls(bindings, thread));
  const given = async (name: string, register: (path: string) => void): Promise<string> => {
    const path = givenFilePath(name);
    await thread.run(() => register(path));
    registered.add(path);
    return path;
  };
  return {
    path: options.path,
    persistent: options.persistent,
    startup: options.startup,
    version: bindings.getVersion(),
    get broken() {
      return health.broken;
    },
    async connect() {
      if (health.broken) throw new QueryError('internal', health.broken);
      return new WasmConnection(calls, await thread.run(() => connectionId(bindings)), health);
    },
    registerFile(name, bytes) {
      return given(name, (path) => bindings.registerFileBuffer(path, bytes));
    },
    async registerFileHandle(name, file) {
      const { fileReader } = options;
      if (fileReader !== undefined) {
        return given(name, (path) => bindings.registerFileHandle(path, file, fileReader, true));
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      return given(name, (path) => bindings.registerFileBuffer(path, bytes));
    },
    async dropFile(name) {
      const path = givenFilePath(name);
      await thread.run(() => bindings.dropFile(path));
      registered.delete(path);
    },
    async close() {
      if (closed) return;
      closed = true;
      // The registered buffers live in this thread's memory until DuckDB forgets them.
      if (registered.size > 0) await thread.run(() => bindings.dropFiles([...registered]));
      thread.close(`The DuckDB-WASM database "${options.path}" is closed.`);
      await options.onClose?.();
    },
  };
}
