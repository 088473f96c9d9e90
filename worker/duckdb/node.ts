// DuckDB in Node: native DuckDB (files that persist) by default; DuckDB-WASM, the browser's engine, on request.
import { ConfigError } from '../errors.ts';
import { defaultDatabasePath } from '../home.ts';
import type { OpenDuckDB } from './types.ts';

/**
 * All run DuckDB v1.4.3: `native` is @duckdb/node-api; `wasm` is DuckDB-WASM's async Node bundle in a worker
 * thread (the browser's driver today) and `blocking` its blocking Node bundle on the calling thread (blocking.ts,
 * the core of the browser's next driver), both memory only.
 */
export type DriverName = 'native' | 'wasm' | 'blocking';

export const DRIVERS: readonly DriverName[] = ['native', 'wasm', 'blocking'];

/** `DINOBASE_DRIVER` (native, wasm or blocking), default native. */
export function driverFromEnv(env: Record<string, string | undefined> = process.env): DriverName {
  const name = env.DINOBASE_DRIVER || 'native';
  if (!(DRIVERS as readonly string[]).includes(name)) {
    throw new ConfigError(
      'invalid_argument',
      `Unknown DINOBASE_DRIVER '${name}'. Available: ${DRIVERS.join(', ')}.`,
    );
  }
  return name as DriverName;
}

/** The opener of one driver; each is loaded only when first used, so a native run never loads the wasm. */
export function openWith(driver: DriverName): OpenDuckDB {
  return async (options) => {
    if (driver === 'wasm') return (await import('./wasm-node.ts')).openWasmDuckDB(options);
    if (driver === 'blocking') return (await import('./blocking-node.ts')).openBlockingDuckDB(options);
    return (await import('./native.ts')).openNativeDuckDB(options);
  };
}

export const openDuckDB: OpenDuckDB = (options) => openWith(driverFromEnv())(options);

/** `$DINOBASE_HOME/dinobase.duckdb` (default `~/.dinobase`); memory on either DuckDB-WASM driver, which has no files. */
export function defaultPath(): string {
  return driverFromEnv() === 'native' ? defaultDatabasePath() : ':memory:';
}
