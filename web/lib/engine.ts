// The UI's only door to the engine: a Comlink proxy of EngineApi running in a module worker.
import * as Comlink from 'comlink';
import { driverFromSearch, engineWorkerName } from '../../common/duckdb-driver.ts';
import type { EngineApi } from '../../worker/api.ts';
import { registerTransferHandlers } from '../../worker/comlink.ts';

export type Engine = Comlink.Remote<EngineApi>;

let engine: Engine | null = null;

export function getEngine(): Engine {
  if (!engine) {
    registerTransferHandlers();
    const worker = new Worker(new URL('../../worker/main.ts', import.meta.url), {
      type: 'module',
      // `?duckdb=blocking` runs DuckDB in the engine's worker itself (experimental; docs/ARCHITECTURE.md).
      name: engineWorkerName(driverFromSearch(location.search)),
    });
    engine = Comlink.wrap<EngineApi>(worker);
  }
  return engine;
}

export { Comlink };
