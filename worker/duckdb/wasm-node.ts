// DuckDB-WASM for Node (the browser's engine, for tests and parity checks): the async eh bundle in a worker_threads worker, in memory.
import { createRequire } from 'node:module';
import Worker from 'web-worker';
import { ConfigError } from '../errors.ts';
import { duckdb, wrapDuckDB } from './driver.ts';
import type { OpenDuckDB } from './types.ts';

const require = createRequire(import.meta.url);

/**
 * DuckDB-WASM's Node file runtime does not persist a database file across processes (it reopens an empty
 * catalog), so it is in-memory only; files in Node are native DuckDB's (native.ts).
 */
export const openWasmDuckDB: OpenDuckDB = async ({ path }) => {
  if (path !== ':memory:' && path !== '') {
    throw new ConfigError(
      'invalid_argument',
      `Cannot open "${path}" with DuckDB-WASM in Node: it keeps databases in memory only (use ":memory:", or the native driver for files).`,
    );
  }
  const wasm = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm');
  const worker = new Worker(new URL('./node-worker.mjs', import.meta.url).href, { type: 'module' });
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(wasm);
  await db.open({ path: ':memory:', query: { castBigIntToDouble: false, castDecimalToDouble: false } });
  return wrapDuckDB(db, { path: ':memory:', persistent: false });
};
