// The Web Worker entry: builds the engine service and exposes it over Comlink.
import * as Comlink from 'comlink';
import { registerTransferHandlers } from './comlink.ts';
import { createEngineService } from './service.ts';

registerTransferHandlers();
// Every browser sync goes through this page's proxy: real credentials never reach the browser.
Comlink.expose(createEngineService({ relay: { origin: self.location.origin } }));
