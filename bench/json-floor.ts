// P2's DuckDB-WASM floor (Node and browser alike): walked pages' text loaded by DuckDB-WASM's own JSON reader, no Dinobase code.
import type { duckdb } from '../worker/duckdb/driver.ts';
import { rawFetchParse } from './walk.ts';

/** duckdb-wasm's JSON description of an Arrow type (`columnsFlat` of its JSON insert). */
interface SqlType {
  sqlType: string;
  valueType?: SqlType;
  fields?: SqlField[];
}
type SqlField = SqlType & { name: string };
/** The JSON insert's options (duckdb-wasm's browser entry does not export their type). */
type JsonInsertOptions = Parameters<duckdb.AsyncDuckDBConnection['insertJSONFromPath']>[1];

/** Every JSON kind seen at one place of the records. */
interface Kind {
  bool?: true;
  int?: true;
  float?: true;
  str?: true;
  obj?: Map<string, Kind>;
  arr?: Kind;
}

function observe(kind: Kind, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'boolean') kind.bool = true;
  else if (typeof value === 'number') {
    if (Number.isInteger(value)) kind.int = true;
    else kind.float = true;
  } else if (typeof value === 'string') kind.str = true;
  else if (Array.isArray(value)) {
    kind.arr ??= {};
    for (const item of value) observe(kind.arr, item);
  } else {
    kind.obj ??= new Map();
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      let seen = kind.obj.get(key);
      if (!seen) kind.obj.set(key, (seen = {}));
      observe(seen, child);
    }
  }
}

function sqlType(kind: Kind): SqlType {
  if (kind.obj && kind.obj.size > 0)
    return { sqlType: 'struct', fields: [...kind.obj].map(([name, child]) => ({ name, ...sqlType(child) })) };
  if (kind.arr) return { sqlType: 'list', valueType: sqlType(kind.arr) };
  // Null everywhere, an empty object, a string or an object (the object won above if it had fields), or a
  // boolean mixed with numbers: text.
  if (kind.str || kind.obj || (kind.bool && (kind.int || kind.float))) return { sqlType: 'utf8' };
  if (kind.float) return { sqlType: 'float64' };
  if (kind.int) return { sqlType: 'int64' };
  if (kind.bool) return { sqlType: 'bool' };
  return { sqlType: 'utf8' };
}

/**
 * The pages' `data` column typed as the union of every record seen (the reader infers a field's type from its first
 * rows and cannot widen it: Stripe's `address.line2` is null there). Serialisable, so Node can hand it to a page.
 */
export class PageSchema {
  readonly #record: Kind = {};

  /** Takes one page's text (`{ data: [...], has_more }`). */
  observe(text: string): void {
    for (const record of (JSON.parse(text) as { data: unknown[] }).data) observe(this.#record, record);
  }

  columns(): SqlField[] {
    return [{ name: 'data', sqlType: 'list', valueType: sqlType(this.#record) }];
  }
}

/**
 * The floor on `db`, a DuckDB-WASM not yet opened (its instantiation is not timed, as the sync's own time starts
 * with its database open): opens it in memory, walks the pages keeping each one's text (`rawFetchParse`), then
 * loads them with `loadPages`. Its time, the load's share of it and the rows loaded.
 */
export async function walkAndLoad(
  db: duckdb.AsyncDuckDB,
  base: string,
  key: string,
  columns: ReturnType<PageSchema['columns']>,
): Promise<{ ms: number; loadMs: number; rows: number }> {
  await db.open({ path: ':memory:' });
  const started = performance.now();
  const pages: string[] = [];
  await rawFetchParse(base, key, (text) => pages.push(text));
  const walked = performance.now();
  const rows = await loadPages(db, pages, columns);
  const ended = performance.now();
  return { ms: ended - started, loadMs: ended - walked, rows };
}

/**
 * Loads the pages' text into a table `customers` of `db`, a row per record (the top-level fields as columns, nested
 * objects as STRUCTs, as the native floor in bare-load.ts): one JSON file of every page, DuckDB-WASM's
 * `insertJSONFromPath` with the columns given, then one `CREATE TABLE … AS SELECT` unnesting them. Returns the rows.
 */
async function loadPages(
  db: duckdb.AsyncDuckDB,
  pages: readonly string[],
  columns: ReturnType<PageSchema['columns']>,
): Promise<number> {
  const conn = await db.connect();
  try {
    await db.registerFileText('bench-pages.json', `[${pages.join(',')}]`);
    await conn.insertJSONFromPath('bench-pages.json', {
      name: 'bench_pages',
      create: true,
      shape: 'row-array' as JsonInsertOptions['shape'],
      columnsFlat: columns as JsonInsertOptions['columnsFlat'],
    });
    await db.dropFile('bench-pages.json');
    await conn.query(
      'CREATE TABLE customers AS SELECT record.* FROM (SELECT unnest(data) AS record FROM bench_pages)',
    );
    const count = await conn.query('SELECT count(*)::INTEGER AS n FROM customers');
    return Number(count.getChild('n')?.get(0));
  } finally {
    await conn.close();
  }
}
