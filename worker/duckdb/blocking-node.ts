// DuckDB-WASM's blocking Node build on the calling thread, in memory: blocking.ts's core proven in Node (tests, parity).
import * as duckdb from '@duckdb/duckdb-wasm/blocking';
import { createRequire } from 'node:module';
import { ConfigError } from '../errors.ts';
import { wrapBlockingDuckDB } from './blocking.ts';
import type { OpenDuckDB } from './types.ts';

const require = createRequire(import.meta.url);

/** The blocking bindings instantiated on this thread, a memory database open, no lockdown yet (bench/engine-read.ts times them). */
export async function openMemoryBindings(): Promise<duckdb.DuckDBBindings> {
  const bundle = (wasm: string) => ({
    mainModule: require.resolve(`@duckdb/duckdb-wasm/dist/duckdb-${wasm}.wasm`),
    mainWorker: '',
  });
  const created = await duckdb.createDuckDB(
    { mvp: bundle('mvp'), eh: bundle('eh') },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME,
  );
  const bindings = await created.instantiate(() => undefined);
  bindings.open({ path: ':memory:', query: { castBigIntToDouble: false, castDecimalToDouble: false } });
  return bindings;
}

/** In memory only, as wasm-node.ts and for the same reason: DuckDB-WASM's Node file runtime does not persist. */
export const openBlockingDuckDB: OpenDuckDB = async ({ path }) => {
  if (path !== ':memory:' && path !== '') {
    throw new ConfigError(
      'invalid_argument',
      `Cannot open "${path}" with DuckDB-WASM's blocking bindings in Node: they keep databases in memory only (use ":memory:", or the native driver for files).`,
    );
  }
  const bindings = await openMemoryBindings();
  return wrapBlockingDuckDB(bindings, { path: ':memory:', persistent: false });
};
