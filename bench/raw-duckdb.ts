// The Chromium query-path baseline (P1): duckdb-wasm's own `conn.query`, on an instance the bench page starts itself.
import { instantiateDuckDB } from '../worker/duckdb/browser.ts';

/**
 * Started as the engine starts it (`instantiateDuckDB`), in memory, on first use, so that pages measuring
 * something else do not compile the wasm twice.
 */
let rawConnection: ReturnType<typeof connectRaw> | null = null;

async function connectRaw() {
  const db = await instantiateDuckDB();
  await db.open({ path: ':memory:', query: { castBigIntToDouble: false, castDecimalToDouble: false } });
  return db.connect();
}

/** Milliseconds one raw `conn.query(sql)` takes, its Arrow table in hand. */
export async function timeRaw(sql: string): Promise<number> {
  const conn = await (rawConnection ??= connectRaw());
  const started = performance.now();
  await conn.query(sql);
  return performance.now() - started;
}
