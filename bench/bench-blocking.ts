// The blocking-bindings probe's worker entry (bench only): exposes bench/blocking-probe.ts over Comlink.
import * as Comlink from 'comlink';
import { registerTransferHandlers } from '../worker/comlink.ts';
import { createBlockingProbe } from './blocking-probe.ts';

registerTransferHandlers();
Comlink.expose(createBlockingProbe());
