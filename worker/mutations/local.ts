// Read-after-write: the API's answer, normalised like a sync, updates the local copy of the rows it accepted.
import type { ConnectorSpec, ResourceSpec } from '../connectors/spec.ts';
import type { DuckConnection, Param } from '../duckdb/index.ts';
import { parseTimestampMicros } from '../ingest/arrow.ts';
import { Normalizer, snakeCase } from '../ingest/normalize.ts';
import { qualified, quoteIdent } from '../sql.ts';
import { primaryKey, typeHints } from '../sync/plan.ts';
import { formatTimestampMicros, tableToRows, type JsonValue } from '../values.ts';
import type { LocalShaped } from './compare.ts';
import type { MutationPlan, PlannedRow, RowResult } from './types.ts';

export type LocalOutcome = NonNullable<RowResult['local']>;

function resourceOf(spec: ConnectorSpec, table: string): ResourceSpec | undefined {
  return spec.resources.find((r) => r.name === table);
}

/** The root-table primary-key columns of `table`, as local (snake_case) column names. */
export function keyColumns(spec: ConnectorSpec, table: string): string[] {
  const resource = resourceOf(spec, table);
  if (resource) return primaryKey(resource).map(snakeCase);
  return [snakeCase(spec.resource_defaults.primary_key ?? 'id')];
}

/**
 * One API object as a row of the local table, exactly as a sync would shape it (unwrap, flattening, snake_case).
 * Columns the API sent as null are present with null, so they can be told apart from fields it did not send;
 * child tables (lists of objects) are left out.
 */
export function normalizeRecord(spec: ConnectorSpec, table: string, record: unknown): LocalShaped | null {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return null;
  const resource = resourceOf(spec, table);
  const normalizer = new Normalizer({
    table,
    primaryKey: keyColumns(spec, table),
    unwrap: resource?.unwrap ?? [],
    hints: resource ? typeHints(resource) : {},
  });
  normalizer.add([record]);
  const root = normalizer.tables.get(table);
  if (!root || root.length === 0) return null;
  const out: LocalShaped = {};
  for (const column of root.columns.keys()) out[column] = null;
  for (const [column, values] of root.values) if (values[0] !== undefined) out[column] = values[0];
  return out;
}

/** Column → DuckDB type of a local table; empty when the table does not exist (never synced). */
const planTypes = new WeakMap<MutationPlan, Map<string, string>>();

async function columnTypes(
  conn: DuckConnection,
  schema: string,
  table: string,
): Promise<Map<string, string>> {
  const rows = tableToRows(
    await conn.queryParams(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?
       ORDER BY ordinal_position`,
      [schema, table],
    ),
  );
  return new Map(rows.map((r) => [String(r.column_name), String(r.data_type)]));
}

/** Lists, structs and maps are child data or JSON the loader owns; a single-row write leaves them to the next sync. */
const isComposite = (type: string) => /\[\]$|^(STRUCT|MAP|UNION)\b/i.test(type);

/** A value bound for `TRY_CAST(? AS type)`, converted the way the sync's loader converts it. */
export function bindValue(value: unknown, type: string): Param {
  if (value === null || value === undefined) return null;
  const upper = type.toUpperCase();
  if (upper.startsWith('TIMESTAMP')) {
    let micros: bigint | null = null;
    if (typeof value === 'string') micros = parseTimestampMicros(value);
    // Numbers in timestamp columns are unix seconds, as the loader reads them.
    else if (typeof value === 'number') micros = BigInt(Math.round(value * 1_000_000));
    if (micros === null) return null;
    return formatTimestampMicros(micros) + (upper.includes('TIME ZONE') ? '+00' : '');
  }
  if (upper === 'DATE' && typeof value === 'string') return value.slice(0, 10);
  if (typeof value === 'object') return JSON.stringify(value);
  if (upper === 'VARCHAR') return String(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function bound(column: string, type: string): string {
  return `${quoteIdent(column)} = TRY_CAST(? AS ${type})`;
}

interface Target {
  conn: DuckConnection;
  schema: string;
  table: string;
  types: Map<string, string>;
}

/** `col = ? AND ...` for a key, or null when a key column is unknown locally (nothing can match). */
function whereKey(t: Target, key: Record<string, JsonValue>): { sql: string; params: Param[] } | null {
  const columns = Object.keys(key);
  if (columns.length === 0 || columns.some((c) => !t.types.has(c))) return null;
  return {
    sql: columns.map((c) => bound(c, t.types.get(c)!)).join(' AND '),
    params: columns.map((c) => bindValue(key[c], t.types.get(c)!)),
  };
}

/** The values to write: the API's columns the table has, plus the plan's values for columns the API left out. */
function writable(
  t: Target,
  fromApi: LocalShaped,
  fromPlan: Record<string, JsonValue>,
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [column, value] of Object.entries(fromApi)) {
    const type = t.types.get(column);
    if (type && !isComposite(type) && !Array.isArray(value)) out.set(column, value);
  }
  for (const [column, value] of Object.entries(fromPlan)) {
    const type = t.types.get(column);
    if (type && !isComposite(type) && !out.has(column)) out.set(column, value);
  }
  return out;
}

async function updateLocal(
  t: Target,
  key: Record<string, JsonValue>,
  values: Map<string, unknown>,
): Promise<LocalOutcome> {
  for (const column of Object.keys(key)) values.delete(column);
  const where = whereKey(t, key);
  if (!where || values.size === 0) return 'unchanged';
  const columns = [...values.keys()];
  const rows = tableToRows(
    await t.conn.queryParams(
      `UPDATE ${qualified(t.schema, t.table)} SET ${columns.map((c) => bound(c, t.types.get(c)!)).join(', ')}
       WHERE ${where.sql} RETURNING 1 AS hit`,
      [...columns.map((c) => bindValue(values.get(c), t.types.get(c)!)), ...where.params],
    ),
  );
  return rows.length > 0 ? 'updated' : 'unchanged';
}

async function insertLocal(
  t: Target,
  keyNames: string[],
  values: Map<string, unknown>,
): Promise<LocalOutcome> {
  if (t.types.has('_dlt_id') && !values.has('_dlt_id') && keyNames.every((k) => values.get(k) != null)) {
    values.set('_dlt_id', keyNames.map((k) => String(values.get(k))).join('|'));
  }
  const key = Object.fromEntries(keyNames.map((k) => [k, (values.get(k) ?? null) as JsonValue]));
  const where = whereKey(t, key);
  if (!where || Object.values(key).some((v) => v === null)) return 'unchanged';
  // A replayed create (same idempotency key) answers with the same object: replace, never duplicate.
  await t.conn.queryParams(`DELETE FROM ${qualified(t.schema, t.table)} WHERE ${where.sql}`, where.params);
  const columns = [...values.keys()];
  await t.conn.queryParams(
    `INSERT INTO ${qualified(t.schema, t.table)} (${columns.map(quoteIdent).join(', ')})
     VALUES (${columns.map((c) => `TRY_CAST(? AS ${t.types.get(c)!})`).join(', ')})`,
    columns.map((c) => bindValue(values.get(c), t.types.get(c)!)),
  );
  return 'inserted';
}

async function deleteLocal(t: Target, key: Record<string, JsonValue>): Promise<LocalOutcome> {
  const where = whereKey(t, key);
  if (!where) return 'unchanged';
  const hasId = t.types.has('_dlt_id');
  const rows = tableToRows(
    await t.conn.queryParams(
      `DELETE FROM ${qualified(t.schema, t.table)} WHERE ${where.sql} RETURNING ${hasId ? '_dlt_id' : '1'} AS id`,
      where.params,
    ),
  );
  if (rows.length === 0) return 'unchanged';
  const ids = rows.map((r) => r.id).filter((id): id is string => typeof id === 'string');
  if (hasId && ids.length > 0) {
    // Child tables (`customers__tax_ids`) hang off the root row's _dlt_id and would be orphaned.
    const children = tableToRows(
      await t.conn.queryParams(
        `SELECT DISTINCT table_name FROM information_schema.columns
         WHERE table_catalog = current_database() AND table_schema = ? AND column_name = '_dlt_root_id'
           AND starts_with(table_name, ?)`,
        [t.schema, `${t.table}__`],
      ),
    );
    for (const child of children) {
      await t.conn.queryParams(
        `DELETE FROM ${qualified(t.schema, String(child.table_name))}
         WHERE _dlt_root_id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
    }
  }
  return 'deleted';
}

/**
 * Applies one accepted row to `"<source>"."<table>"`. `response` is the API's object normalised (null when the
 * API sent none, e.g. a DELETE). Updates touch only columns the response or the SET list name, so a partial
 * answer (HubSpot, Linear) never nulls other columns.
 */
export async function applyLocal(
  conn: DuckConnection,
  spec: ConnectorSpec,
  plan: MutationPlan,
  row: PlannedRow,
  response: LocalShaped | null,
): Promise<LocalOutcome> {
  // One catalog read per plan, not per row: a confirm's rows all target the same table.
  let types = planTypes.get(plan);
  if (!types) {
    types = await columnTypes(conn, plan.source, plan.table);
    if (types.size > 0) planTypes.set(plan, types);
  }
  if (types.size === 0) return 'not_synced';
  const t: Target = { conn, schema: plan.source, table: plan.table, types };
  if (plan.operation === 'delete') return deleteLocal(t, row.key);
  const planned: Record<string, JsonValue> = {};
  for (const [column, value] of Object.entries(row.after ?? {})) {
    if (plan.operation === 'insert' || plan.columns.includes(column)) planned[column] = value;
  }
  const values = writable(t, response ?? {}, planned);
  if (plan.operation === 'update') return updateLocal(t, row.key, values);
  return insertLocal(t, keyColumns(spec, plan.table), values);
}
