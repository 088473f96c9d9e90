// The Web Worker entry: builds the engine service and exposes it over Comlink.
import * as Comlink from 'comlink';
import { registerTransferHandlers } from './comlink.ts';
import { createEngineService } from './service.ts';

registerTransferHandlers();
Comlink.expose(createEngineService());
