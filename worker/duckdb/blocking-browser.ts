// DuckDB-WASM's blocking browser build in the engine's own worker, on an OPFS file held by one tab (opt-in driver).
import * as duckdb from '@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs';
import { wrapBlockingDuckDB } from './blocking.ts';
import { DEFAULT_PATH, openOnOPFS, prewarmUnlessHeld } from './browser.ts';
import { NO_PROGRESS_WARNING, duckdbWasmUrl } from './spawn.ts';
import type { OpenDuckDB } from './types.ts';

type Bindings = duckdb.DuckDBBindings;

/**
 * Fences this worker as duckdbWorkerPrelude (spawn.ts) fences DuckDB's own: with DuckDB on this thread,
 * XMLHttpRequest is how its runtime would read http(s):// and s3:// files (runtime_browser.ts), and nothing
 * else here uses it. `fetch` stays: the engine needs it for the relay. Defence in depth beside the lockdown.
 */
function fenceWorker(): void {
  (self as unknown as Record<string, unknown>).XMLHttpRequest = undefined;
}

/**
 * Compiles and instantiates the eh wasm from the same URL the async driver uses, so the service worker, HTTP
 * cache and V8's code cache all apply. Without TransformStream duckdb-wasm compiles the fetched Response itself
 * (which V8 code-caches) instead of a piped one; here the engine shares the global scope, so both it and the
 * console warning that follows are taken away for the instantiation only.
 */
async function instantiateBlocking(): Promise<Bindings> {
  const scope = self as unknown as Record<string, unknown>;
  const transform = scope.TransformStream;
  const warn = console.warn;
  scope.TransformStream = undefined;
  console.warn = (...args: unknown[]) => {
    if (args[0] !== NO_PROGRESS_WARNING) warn(...args);
  };
  try {
    const bundle = { mainModule: duckdbWasmUrl(), mainWorker: '' };
    const created = await duckdb.createDuckDB(
      { mvp: bundle, eh: bundle },
      new duckdb.VoidLogger(),
      duckdb.BROWSER_RUNTIME,
    );
    return await created.instantiate(() => undefined);
  } finally {
    scope.TransformStream = transform;
    console.warn = warn;
  }
}

/**
 * Closes the database and its OPFS sync access handles in place: there is no DuckDB worker to terminate, and
 * OPFS lets one context at a time hold a file's handle. Opening `:memory:` drops the file's database (DuckDB
 * closes its files), `dropFile` then closes each handle (BROWSER_RUNTIME.dropFile flushes and closes it), and a
 * handle DuckDB never registered (an empty file's, see prepareDBFileHandle) is closed from the runtime's table.
 * Safe to call twice; e2e (test/e2e/blocking.e2e.ts) proves another tab opens the file after it.
 */
function releaseHandles(bindings: Bindings, path: string): void {
  if (!path.startsWith('opfs://')) return;
  try {
    bindings.open({ path: ':memory:' });
  } catch {
    // An instance whose open failed has no database to close.
  }
  for (const name of [path, `${path}.wal`]) {
    try {
      bindings.dropFile(name);
    } catch {
      // Not registered with DuckDB: closed below.
    }
    const runtime = duckdb.BROWSER_RUNTIME;
    runtime._preparedHandles[name]?.close();
    Reflect.deleteProperty(runtime._preparedHandles, name);
    runtime._files.delete(name);
  }
}

/** Bindings instantiated as the worker started (prewarmBlockingDuckDB), or null if skipped; the next open takes it. */
let prewarmed: Promise<Bindings | null> | null = null;

/** The blocking driver's prewarm: the engine's worker compiles DuckDB itself (see prewarmUnlessHeld). */
export function prewarmBlockingDuckDB(path: string = DEFAULT_PATH): void {
  fenceWorker();
  prewarmed ??= prewarmUnlessHeld(path, () => ({ instantiate: instantiateBlocking, skip: () => undefined }));
}

/** Which instance each opened path's handles belong to, so a failed open or a close releases the right ones. */
const opened = new WeakMap<Bindings, string>();

export const openBlockingDuckDB: OpenDuckDB = openOnOPFS<Bindings>({
  name: 'blocking',
  async take() {
    fenceWorker();
    const taken = prewarmed;
    prewarmed = null;
    return (await taken) ?? instantiateBlocking();
  },
  instantiate: instantiateBlocking,
  async open(bindings, { path, persistent }) {
    // A retry (the previous owner still held the file) starts over: a handle this instance got stays its own.
    if (opened.has(bindings)) releaseHandles(bindings, path);
    opened.set(bindings, path);
    // What DuckDB's async worker does on OPEN (worker_dispatcher.ts): sync access handles for the file and its
    // WAL, then direct IO on them.
    if (persistent) await bindings.prepareDBFileHandle(path, duckdb.DuckDBDataProtocol.BROWSER_FSACCESS);
    bindings.open({
      path,
      accessMode: persistent ? duckdb.DuckDBAccessMode.READ_WRITE : undefined,
      useDirectIO: persistent,
      query: { castBigIntToDouble: false, castDecimalToDouble: false },
    });
  },
  async dispose(bindings) {
    const path = opened.get(bindings);
    if (path) releaseHandles(bindings, path);
  },
  async wrap(bindings, { onClose, ...options }) {
    return wrapBlockingDuckDB(bindings, {
      ...options,
      fileReader: duckdb.DuckDBDataProtocol.BROWSER_FILEREADER,
      onClose: () => {
        releaseHandles(bindings, options.path);
        onClose();
      },
    });
  },
});
