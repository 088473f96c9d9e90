// Which DuckDB-WASM bindings the engine's worker runs: the page reads `?duckdb=` and names its worker after it.

/** `async`: DuckDB in its own nested worker (the default). `blocking`: in the engine's worker itself (opt-in). */
export type DuckDBDriver = 'async' | 'blocking';

const ENGINE_WORKER = 'dinobase-engine';
const BLOCKING_SUFFIX = ' duckdb=blocking';

/** `?duckdb=blocking` in the page's URL opts in (experimental); anything else keeps the default. */
export function driverFromSearch(search: string): DuckDBDriver {
  return new URLSearchParams(search).get('duckdb') === 'blocking' ? 'blocking' : 'async';
}

/**
 * The engine worker's name, which carries the driver: the worker knows it as it starts, before any call, which
 * is when it starts compiling DuckDB. Remembered nowhere: the next page without the parameter runs the default.
 */
export function engineWorkerName(driver: DuckDBDriver): string {
  return driver === 'blocking' ? `${ENGINE_WORKER}${BLOCKING_SUFFIX}` : ENGINE_WORKER;
}

/** The driver `engineWorkerName` put in a worker's name. */
export function driverOfWorker(name: string): DuckDBDriver {
  return name.endsWith(BLOCKING_SUFFIX) ? 'blocking' : 'async';
}
