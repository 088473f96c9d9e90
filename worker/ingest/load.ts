// Loads normalised tables into DuckDB through Arrow staging tables: merge, replace or append, with schema evolution.
import type { DuckConnection } from '../duckdb/index.ts';
import { STAGING_SCHEMA } from '../meta/migrations.ts';
import { qualified, quoteIdent, sqlValue } from '../sql.ts';
import { tableToRows } from '../values.ts';
import type { NormalizedTable } from './normalize.ts';
import { Stager, type StagedTable } from './stager.ts';
import { parseSqlType, resolved, sameType, sqlType, widen } from './types.ts';

export type WriteDisposition = 'merge' | 'replace' | 'append';

export interface LoadItem {
  /** A root table and its child tables, as one resource normalised them. */
  tables: Map<string, NormalizedTable>;
  root: string;
  disposition: WriteDisposition;
}

export interface LoadResult {
  /** Rows written per table. */
  rows: Record<string, number>;
}

/** Every table's columns in `schema`, in one catalog query: table → (column → DuckDB type). */
async function schemaCatalog(
  conn: DuckConnection,
  schema: string,
): Promise<Map<string, Map<string, string>>> {
  const rows = tableToRows(
    await conn.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = ${sqlValue(schema)} ORDER BY ordinal_position`,
    ),
  );
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const table = String(r.table_name);
    if (!out.has(table)) out.set(table, new Map());
    out.get(table)!.set(String(r.column_name), String(r.data_type));
  }
  return out;
}

export interface CommitItem {
  root: string;
  disposition: WriteDisposition;
}

/**
 * Moves staged tables into `schema`. Must run inside the caller's transaction, so every table (and the
 * caller's sync state) becomes visible together or not at all. DDL comes first because DuckDB refuses to
 * ALTER a table already written in the same transaction.
 */
export async function commitStaged(
  conn: DuckConnection,
  schema: string,
  stager: Stager,
  items: CommitItem[],
): Promise<LoadResult> {
  await stager.flush();
  await conn.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  const catalog = await schemaCatalog(conn, schema);
  const families = items.map((item) => ({
    item,
    staged: [...stager.staged.values()].filter(
      (t) => t.name === item.root || t.name.startsWith(`${item.root}__`),
    ),
  }));
  for (const { staged } of families) {
    for (const table of staged) {
      const current = catalog.get(table.name);
      if (current) await evolve(conn, qualified(schema, table.name), table, current);
    }
  }
  for (const { item, staged } of families) {
    // Pages can overlap at a cursor boundary: keep the last copy of each record.
    if (item.disposition === 'merge') {
      for (const table of staged.filter((t) => t.duplicates)) {
        const t = qualified(STAGING_SCHEMA, table.staging);
        await conn.query(
          `DELETE FROM ${t} WHERE rowid NOT IN (SELECT max(rowid) FROM ${t} GROUP BY _dlt_id)`,
        );
      }
    }
    await clearSuperseded(conn, schema, item, stager, [...catalog.keys()]);
  }
  const rows: Record<string, number> = {};
  for (const { staged } of families) {
    for (const table of staged) {
      const target = qualified(schema, table.name);
      const source = qualified(STAGING_SCHEMA, table.staging);
      if (catalog.has(table.name)) await conn.query(`INSERT INTO ${target} BY NAME SELECT * FROM ${source}`);
      else await conn.query(`CREATE TABLE ${target} AS SELECT * FROM ${source}`);
      rows[table.name] = Number(
        tableToRows(await conn.query(`SELECT count(*) AS n FROM ${source}`))[0]?.n ?? 0,
      );
      await conn.query(`DROP TABLE ${source}`);
    }
  }
  return { rows };
}

/** Adds new columns and widens changed ones on the target table. */
async function evolve(
  conn: DuckConnection,
  target: string,
  table: StagedTable,
  current: Map<string, string>,
) {
  for (const [name, incoming] of table.columns) {
    const existing = current.get(name);
    if (existing === undefined) {
      await conn.query(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(name)} ${sqlType(incoming)}`);
      continue;
    }
    const parsed = parseSqlType(existing) ?? 'VARCHAR';
    const merged = resolved(widen(parsed, incoming));
    if (!sameType(merged, parsed)) {
      await conn.query(`ALTER TABLE ${target} ALTER COLUMN ${quoteIdent(name)} TYPE ${sqlType(merged)}`);
    }
  }
}

/** Removes what the new data supersedes: all rows (replace), or the rows of re-fetched records (merge). */
async function clearSuperseded(
  conn: DuckConnection,
  schema: string,
  item: CommitItem,
  stager: Stager,
  existing: string[],
) {
  if (item.disposition === 'append') return;
  const root = stager.staged.get(item.root);
  const family = existing.filter((name) => name === item.root || name.startsWith(`${item.root}__`));
  for (const name of family) {
    const target = qualified(schema, name);
    if (item.disposition === 'replace') {
      await conn.query(`DELETE FROM ${target}`);
    } else if (root) {
      const ids = `SELECT _dlt_id FROM ${qualified(STAGING_SCHEMA, root.staging)}`;
      const key = name === item.root ? '_dlt_id' : '_dlt_root_id';
      await conn.query(`DELETE FROM ${target} WHERE ${quoteIdent(key)} IN (${ids})`);
    }
  }
}

let loads = 0;

/**
 * The one-shot form (sample data, tests): stages in-memory tables with autocommit, as a sync stages its
 * pages, then moves them into `schema` in one transaction, together with whatever `within` writes. Staging
 * stays outside the transaction because a table created and dropped in one transaction fails to commit on a
 * reopened OPFS database ("Could not commit creation of dependency").
 */
export async function loadTables(
  conn: DuckConnection,
  schema: string,
  items: LoadItem[],
  within?: (conn: DuckConnection) => Promise<void>,
): Promise<LoadResult> {
  const stager = new Stager(conn, `${schema}__load${++loads}`);
  try {
    for (const item of items) for (const table of item.tables.values()) stager.stage(table);
    await stager.flush();
    await conn.query('BEGIN TRANSACTION');
    try {
      const result = await commitStaged(conn, schema, stager, items);
      await within?.(conn);
      await conn.query('COMMIT');
      return result;
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } catch (error) {
    await stager.discard();
    throw error;
  }
}
