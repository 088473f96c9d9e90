// The Web Worker entry: starts DuckDB, then builds this tab's engine and exposes it over Comlink.
import * as Comlink from 'comlink';
import type { EngineApi } from './api.ts';
import { registerTransferHandlers, releasingCallbacks } from './comlink.ts';
import { driverOfWorker } from '../common/duckdb-driver.ts';
import { startDuckDB } from './duckdb/browser.ts';

// First, on a small module graph: DuckDB's compile then overlaps loading the rest of the engine (and the page's
// own start); the open takes the instance when it comes. The page picks the driver by this worker's name.
const open = startDuckDB(driverOfWorker(self.name));
registerTransferHandlers();
// Every browser sync goes through this page's proxy: real credentials never reach the browser.
// Sources with a sync interval sync on their own while this tab has the engine open; the schedule's first reads
// wait a moment, so that they do not queue in DuckDB ahead of the user's first query.
const engine = import('./tab-engine.ts').then(({ createTabEngine }) =>
  createTabEngine({ relay: { origin: self.location.origin }, schedule: { firstRoundAfter: '3s' }, open }),
);
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
