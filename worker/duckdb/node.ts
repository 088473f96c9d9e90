// DuckDB-WASM for Node (unit tests, headless use): the async eh bundle in a worker_threads worker, in memory.
import { createRequire } from 'node:module';
import Worker from 'web-worker';
import { ConfigError } from '../errors.ts';
import { duckdb, wrapDuckDB } from './driver.ts';
import type { OpenDuckDB } from './types.ts';

export const DEFAULT_PATH = ':memory:';

const require = createRequire(import.meta.url);

/**
 * DuckDB-WASM's Node file runtime does not persist a database file across processes (it reopens an empty
 * catalog), so Node is in-memory only; durable storage is OPFS in the browser.
 */
export const openDuckDB: OpenDuckDB = async ({ path }) => {
  if (path !== ':memory:' && path !== '') {
    throw new ConfigError(
      'invalid_argument',
      `Cannot open "${path}" in Node: DuckDB-WASM on Node keeps databases in memory only (use ":memory:").`,
    );
  }
  const wasm = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm');
  const worker = new Worker(new URL('./node-worker.mjs', import.meta.url).href, { type: 'module' });
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(wasm);
  await db.open({ path: ':memory:', query: { castBigIntToDouble: false, castDecimalToDouble: false } });
  return wrapDuckDB(db, { path: ':memory:', persistent: false });
};
