// DuckDB-WASM for Node (the browser's engine, for tests and parity checks): the async eh bundle in a worker_threads worker, in memory.
import { createRequire } from 'node:module';
import Worker from 'web-worker';
import { ConfigError } from '../errors.ts';
import { chunkPort, chunkPortScript, type FetchChunks } from './chunk-port.ts';
import { duckdb, wrapDuckDB } from './driver.ts';
import type { OpenDuckDB } from './types.ts';

const require = createRequire(import.meta.url);

/**
 * DuckDB-WASM instantiated in a worker of its own, not yet opened, with the chunk port put in before duckdb-wasm's
 * worker script loads, as the browser's prelude puts it (chunk-port.ts). `prelude` is script text that runs in
 * the worker before both (tests watch the worker from inside with it).
 */
export async function instantiateInWorker({ prelude = '' }: { prelude?: string } = {}): Promise<{
  db: duckdb.AsyncDuckDB;
  fetchChunks: FetchChunks;
}> {
  const worker = new URL('./node-worker.mjs', import.meta.url).href;
  const script = `${prelude}\n${chunkPortScript()}\nawait import(${JSON.stringify(worker)});\n//# sourceURL=dinobase-duckdb-worker.mjs`;
  const thread = new Worker(`data:text/javascript,${encodeURIComponent(script)}`, { type: 'module' });
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), thread);
  try {
    await db.instantiate(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
  } catch (error) {
    await db.terminate().catch(() => undefined);
    throw error;
  }
  return { db, fetchChunks: chunkPort(thread) };
}

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
  const { db, fetchChunks } = await instantiateInWorker();
  await db.open({ path: ':memory:', query: { castBigIntToDouble: false, castDecimalToDouble: false } });
  return wrapDuckDB(db, { path: ':memory:', persistent: false, fetchChunks });
};
