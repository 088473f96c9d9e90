// The Web Worker entry: builds this tab's engine and exposes it over Comlink.
import * as Comlink from 'comlink';
import { registerTransferHandlers, releasingCallbacks } from './comlink.ts';
import { prewarmDuckDB } from './duckdb/browser.ts';
import { createTabEngine } from './tab-engine.ts';

// Before anything else: DuckDB's compile then overlaps the page's own start (the open takes it when it comes).
void prewarmDuckDB();
registerTransferHandlers();
// Every browser sync goes through this page's proxy: real credentials never reach the browser.
// Sources with a sync interval sync on their own while this tab has the engine open.
// A call's callbacks (progress) are released when it ends; a watcher's when it is unwatched.
const engine = createTabEngine({ relay: { origin: self.location.origin }, schedule: {} });
Comlink.expose(releasingCallbacks(engine, ['watchSyncs']));
