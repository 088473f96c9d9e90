// P1's second app engine (bench only): the app's engine service on the opt-in blocking driver, on a file of its own.
import * as Comlink from 'comlink';
import { registerTransferHandlers } from '../worker/comlink.ts';
import { DinobaseDB } from '../worker/db.ts';
import { startDuckDB } from '../worker/duckdb/browser.ts';
import { createEngineService } from '../worker/service.ts';

/** The bench page's default engine holds dinobase.duckdb; this one must not wait for it. */
const PATH = 'opfs://bench-app-blocking.duckdb';

registerTransferHandlers();
// As worker/main.ts starts the engine when the page asks for `?duckdb=blocking`, with only the path changed.
const open = startDuckDB('blocking');
Comlink.expose(
  createEngineService({ db: new DinobaseDB(PATH, { open }), relay: { origin: self.location.origin } }),
);
