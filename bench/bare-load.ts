// The Node syncs' floors: the raw walk keeping each page's text, then DuckDB's own JSON reader loads them (native, and DuckDB-WASM; no Dinobase code).
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instantiateInWorker } from '../worker/duckdb/wasm-node.ts';
import { walkAndLoad, type PageSchema } from './json-floor.ts';
import { rawFetchParse } from './walk.ts';

/**
 * The raw walk (`rawFetchParse`), each page's text written to a file as it comes, then every record loaded as one
 * row with native DuckDB's `read_json` (the top-level fields as columns, nested objects as STRUCTs) into a new
 * in-memory database. Returns the rows loaded. What DuckDB alone costs to turn the same pages into a table, on
 * the same machine.
 */
export async function bareNativeJsonLoad(base: string, key: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'dinobase-bench-pages-'));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await rawFetchParse(base, key, (text, index) =>
      writeFileSync(join(dir, `page-${String(index).padStart(6, '0')}.json`), text),
    );
    const pages = join(dir, '*.json').replaceAll("'", "''");
    await conn.run(
      `CREATE TABLE customers AS SELECT record.* FROM (SELECT unnest(data) AS record FROM read_json('${pages}'))`,
    );
    const count = (await conn.runAndReadAll('SELECT count(*) FROM customers')).getRows()[0]![0];
    return Number(count);
  } finally {
    conn.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same for DuckDB-WASM (the browser's engine, in a Node worker thread, in memory), its own JSON reader given
 * the records' types up front (`columns`, from an earlier walk: the reader cannot widen a type it inferred); see
 * json-floor.ts.
 */
export async function bareWasmJsonLoad(
  base: string,
  key: string,
  columns: ReturnType<PageSchema['columns']>,
): Promise<{ ms: number; rows: number }> {
  const { db } = await instantiateInWorker();
  try {
    return await walkAndLoad(db, base, key, columns);
  } finally {
    await db.terminate();
  }
}
