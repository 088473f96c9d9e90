// Loads normalised tables into DuckDB through Arrow staging tables: merge, replace or append, with schema evolution.
import type { DuckConnection } from '../duckdb/index.ts';
import { STAGING_SCHEMA } from '../meta/migrations.ts';
import { qualified, quoteIdent, sqlValue } from '../sql.ts';
import { tableToRows } from '../values.ts';
import { buildArrowTable } from './arrow.ts';
import type { NormalizedTable } from './normalize.ts';
import { parseSqlType, resolved, sameType, sqlType, widen, type ColumnType } from './types.ts';

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

interface Step {
  table: NormalizedTable;
  disposition: WriteDisposition;
  root: string;
  exists: boolean;
  columns: Map<string, ColumnType>;
  staging: string;
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

/** Adds new columns and widens changed ones; returns the types the staged data must have. */
async function evolve(conn: DuckConnection, schema: string, step: Step, current: Map<string, string>) {
  const target = qualified(schema, step.table.name);
  for (const [name, incoming] of step.table.columns) {
    const existing = current.get(name);
    if (existing === undefined) {
      await conn.query(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(name)} ${sqlType(resolved(incoming))}`);
      step.columns.set(name, resolved(incoming));
      continue;
    }
    const parsed = parseSqlType(existing) ?? 'VARCHAR';
    const merged = resolved(widen(parsed, incoming));
    if (!sameType(merged, parsed)) {
      await conn.query(`ALTER TABLE ${target} ALTER COLUMN ${quoteIdent(name)} TYPE ${sqlType(merged)}`);
    }
    step.columns.set(name, merged);
  }
}

/** Keeps the last copy of each record fetched more than once (pages can overlap at a cursor boundary). */
function dedupeById(table: NormalizedTable): NormalizedTable {
  const ids = table.values.get('_dlt_id') ?? [];
  const last = new Map<unknown, number>();
  for (let i = 0; i < table.length; i++) last.set(ids[i], i);
  if (last.size === table.length) return table;
  const keep = [...last.values()].sort((a, b) => a - b);
  const values = new Map([...table.values].map(([name, column]) => [name, keep.map((i) => column[i])]));
  return { ...table, values, length: keep.length };
}

/**
 * Must run inside the caller's transaction, so every table (and the caller's sync state) becomes visible
 * together or not at all. DDL comes first because DuckDB refuses to ALTER a table already written to in
 * the same transaction.
 */
export async function loadTables(
  conn: DuckConnection,
  schema: string,
  items: LoadItem[],
): Promise<LoadResult> {
  await conn.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await conn.query(`CREATE SCHEMA IF NOT EXISTS ${STAGING_SCHEMA}`);
  const catalog = await schemaCatalog(conn, schema);
  const steps: Step[] = [];
  for (const item of items) {
    for (const raw of item.tables.values()) {
      const table = raw.name === item.root && item.disposition === 'merge' ? dedupeById(raw) : raw;
      if (table.columns.size === 0) continue;
      const current = catalog.get(table.name) ?? null;
      const step: Step = {
        table,
        disposition: item.disposition,
        root: item.root,
        exists: current !== null,
        columns: new Map([...table.columns].map(([n, t]) => [n, resolved(t)])),
        staging: `${schema}__${table.name}`,
      };
      if (current) await evolve(conn, schema, step, current);
      steps.push(step);
    }
  }
  for (const step of steps) {
    await conn.query(`DROP TABLE IF EXISTS ${qualified(STAGING_SCHEMA, step.staging)}`);
    await conn.insertArrow(buildArrowTable(step.table, step.columns), {
      schema: STAGING_SCHEMA,
      name: step.staging,
      create: true,
    });
  }
  for (const item of items) await clearReplaced(conn, schema, item, steps, [...catalog.keys()]);
  const rows: Record<string, number> = {};
  for (const step of steps) {
    const target = qualified(schema, step.table.name);
    const staged = qualified(STAGING_SCHEMA, step.staging);
    if (!step.exists) await conn.query(`CREATE TABLE ${target} AS SELECT * FROM ${staged}`);
    else await conn.query(`INSERT INTO ${target} BY NAME SELECT * FROM ${staged}`);
    await conn.query(`DROP TABLE ${staged}`);
    rows[step.table.name] = step.table.length;
  }
  return { rows };
}

/** Removes what the new data supersedes: all rows (replace), or the rows of re-fetched records (merge). */
async function clearReplaced(
  conn: DuckConnection,
  schema: string,
  item: LoadItem,
  steps: Step[],
  existing: string[],
) {
  if (item.disposition === 'append') return;
  const rootStep = steps.find((s) => s.table.name === item.root);
  const family = existing.filter((name) => name === item.root || name.startsWith(`${item.root}__`));
  for (const name of family) {
    const target = qualified(schema, name);
    if (item.disposition === 'replace') {
      await conn.query(`DELETE FROM ${target}`);
    } else if (rootStep) {
      const ids = `SELECT _dlt_id FROM ${qualified(STAGING_SCHEMA, rootStep.staging)}`;
      const key = name === item.root ? '_dlt_id' : '_dlt_root_id';
      await conn.query(`DELETE FROM ${target} WHERE ${quoteIdent(key)} IN (${ids})`);
    }
  }
}
