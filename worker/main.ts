// The Web Worker entry: starts DuckDB, then builds this tab's engine and exposes it over Comlink.
import * as Comlink from 'comlink';
import type { EngineApi } from './api.ts';
import { registerTransferHandlers, releasingCallbacks } from './comlink.ts';
import { driverOfWorker } from '../common/duckdb-driver.ts';
import { NotReadyError, errorMessage } from './errors.ts';
import { duckdbWasmUrl, duckdbWorker } from './duckdb/spawn.ts';
import type { OpenDuckDB } from './duckdb/types.ts';

// The page picks the driver by this worker's name. DuckDB's worker first, before duckdb-wasm's library (and
// the rest of the engine) loads: its wasm compile then overlaps all of that, and the page's own start; the
// open takes the instance when it comes.
const driver = driverOfWorker(self.name);
const spawned = driver === 'async' ? duckdbWorker(duckdbWasmUrl()) : undefined;
const started = import('./duckdb/browser.ts').then(
  ({ startDuckDB }) => startDuckDB(driver, spawned),
  (error: unknown) => {
    // Else the spawned worker would hold its compiled wasm, idle, for the tab's life.
    spawned?.terminate();
    return notLoaded(error);
  },
);
const open: OpenDuckDB = async (options) => (await started)(options);
registerTransferHandlers();
// Every browser sync goes through this page's proxy: real credentials never reach the browser.
// Sources with a sync interval sync on their own while this tab has the engine open; the schedule's first reads
// wait a moment, so that they do not queue in DuckDB ahead of the user's first query.
const engine = import('./tab-engine.ts').then(
  ({ createTabEngine }) =>
    createTabEngine({ relay: { origin: self.location.origin }, schedule: { firstRoundAfter: '3s' }, open }),
  notLoaded,
);
// Either failure is reported by the first call that needs it (the page's open), not as an unhandled rejection.
started.catch(() => undefined);
engine.catch(() => undefined);
/** A chunk that did not load (the server was updated or stopped since the page loaded) named for what it is. */
function notLoaded(error: unknown): never {
  throw new NotReadyError(
    'not_ready',
    `The database engine's code did not load (${errorMessage(error)}). Reload the page.`,
  );
}
/** Exposed at once, so no call is lost while the engine's modules load; each call waits for them. */
const deferred = new Proxy({} as EngineApi, {
  get:
    (_, name) =>
    async (...args: unknown[]) => {
      const api = await engine;
      return Reflect.apply(api[name as keyof EngineApi] as (...a: unknown[]) => unknown, api, args);
    },
});
// A call's callbacks (progress) are released when it ends; a watcher's when it is unwatched.
Comlink.expose(releasingCallbacks(deferred, ['watchSyncs']));
