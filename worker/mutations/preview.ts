// Builds a mutation's preview and plan: validates the target, finds the affected rows in DuckDB, evaluates new values.
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type { ConnectorSpec, WriteEndpointSpec } from '../connectors/spec.ts';
import { placeholdersIn } from '../connectors/paths.ts';
import type { DinobaseDB } from '../db.ts';
import type { StoredSource } from '../meta/sources.ts';
import { MutationError, errorMessage } from '../errors.ts';
import { snakeCase } from '../ingest/normalize.ts';
import { INTERNAL_SCHEMA_NAMES } from '../meta/migrations.ts';
import { quoteIdent } from '../sql.ts';
import { primaryKey } from '../sync/plan.ts';
import type { JsonRow, JsonValue } from '../values.ts';
import type { ParsedMutation } from './parse.ts';
import { apiPath } from './requests.ts';
import type { MutationPlan, Operation, PlannedRow } from './types.ts';

export interface PreviewBody {
  operation: 'UPDATE' | 'INSERT' | 'DELETE';
  source: string;
  table: string;
  rows_affected?: number;
  rows_to_insert?: number;
  changes?: Record<string, JsonValue>[];
  rows_to_delete?: Record<string, string>[];
  /** INSERT: the first row, as in the original; `rows` holds all of them. */
  data?: Record<string, JsonValue>;
  rows?: Record<string, JsonValue>[];
  side_effects: string[];
  /** The API call each row makes, e.g. `POST v1/customers/{id}` on api.stripe.com. */
  api: { method: string; path: string; host: string; calls: number };
}

export interface Built {
  preview: PreviewBody;
  plan: Omit<MutationPlan, 'mutation_id'>;
}

const OPS: Record<ParsedMutation['operation'], Operation> = {
  UPDATE: 'update',
  INSERT: 'insert',
  DELETE: 'delete',
};
const VERB = { update: 'update', insert: 'create', delete: 'delete' } as const;

function fail(
  message: string,
  code: 'invalid_argument' | 'not_found' | 'refused' = 'invalid_argument',
): never {
  throw new MutationError(code, message);
}

/** Old and new values as the preview shows them: `old → new`, with NULL spelled out. */
export function show(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function closest(name: string, options: string[]): string | null {
  const lower = name.toLowerCase();
  return (
    options.find((o) => o.toLowerCase() === lower) ??
    options.find((o) => o.includes(lower) || lower.includes(o)) ??
    null
  );
}

function writableSummary(spec: ConnectorSpec): string {
  const byTable = new Map<string, string[]>();
  for (const w of spec.write_endpoints) byTable.set(w.table, [...(byTable.get(w.table) ?? []), w.operation]);
  return [...byTable].map(([t, ops]) => `${t} (${ops.join(', ')})`).join(', ') || 'none';
}

/** Whether the endpoint sends `column`: its API path is one of the declared `writable` fields or lies under one. */
export function isWritable(endpoint: WriteEndpointSpec, column: string): boolean {
  const path = apiPath(endpoint, column).join('.');
  return endpoint.writable.some((field) => path === field || path.startsWith(`${field}.`));
}

/** The writable fields as the columns one types: `name`, `address__…`; only those the table has, once synced. */
function writableColumns(endpoint: WriteEndpointSpec, columns: string[]): string[] {
  const local = (field: string) =>
    Object.entries(endpoint.column_map).find(([, api]) => api === field)?.[0] ?? field.replaceAll('.', '__');
  const names = endpoint.writable.flatMap((field) => {
    const name = local(field);
    if (columns.length === 0) return [name];
    return [
      ...(columns.includes(name) ? [name] : []),
      ...(columns.some((c) => c.startsWith(`${name}__`)) ? [`${name}__…`] : []),
    ];
  });
  return [...new Set(names)].sort();
}

/** Every column the endpoint's path and GraphQL variables take from the row, besides {id} and {values}. */
function scopeColumns(endpoint: WriteEndpointSpec): string[] {
  const texts = [endpoint.path, JSON.stringify(endpoint.graphql?.variables ?? {})];
  return [...new Set(texts.flatMap(placeholdersIn))].filter((p) => p !== 'id' && p !== 'values');
}

export interface PreviewOptions {
  /** Where the source's writes go (the write-back's route); without it, its stored or the connector's base URL. */
  upstream?: ((source: string, type: string) => Promise<URL>) | undefined;
}

export class PreviewBuilder {
  #db: DinobaseDB;
  #connectors: ConnectorRegistry;
  #upstream: PreviewOptions['upstream'];

  constructor(db: DinobaseDB, connectors: ConnectorRegistry, options: PreviewOptions = {}) {
    this.#db = db;
    this.#connectors = connectors;
    this.#upstream = options.upstream;
  }

  /** The host the preview names: the one the write-back will call for this source. */
  async #host(source: StoredSource, spec: ConnectorSpec): Promise<string> {
    try {
      if (this.#upstream) return (await this.#upstream(source.name, source.type)).host;
    } catch {
      // The proxy may be unreachable while previewing offline; confirm reports that, the preview need not.
    }
    return new URL(source.base_url ?? spec.client.base_url).host;
  }

  async build(parsed: ParsedMutation, maxAffectedRows: number): Promise<Built> {
    const { schema, table } = parsed;
    if (INTERNAL_SCHEMA_NAMES.includes(schema.toLowerCase())) {
      fail(`Schema '${schema}' is Dinobase's own (or DuckDB's) and cannot be changed with SQL.`, 'refused');
    }
    const source = await this.#db.getSource(schema);
    if (!source) {
      const known = (await this.#db.getSources()).map((s) => s.name);
      fail(
        `Schema '${schema}' is not a known source.${known.length ? ` Sources: ${known.join(', ')}.` : ' Add a source first.'}`,
        'not_found',
      );
    }
    if (!this.#connectors.has(source.type)) {
      fail(
        `Source '${schema}' (type ${source.type}) has no connector, so it cannot be written back to.`,
        'refused',
      );
    }
    const spec = this.#connectors.get(source.type);
    const operation = OPS[parsed.operation];
    const endpoint = spec.write_endpoints.find((w) => w.table === table && w.operation === operation);
    if (!endpoint) {
      fail(
        `${schema}.${table} cannot be ${operation === 'insert' ? 'inserted into' : `${operation}d`}: the ${spec.name} connector has no ${operation} endpoint for '${table}'. Writable: ${writableSummary(spec)}.`,
        'refused',
      );
    }
    const resource = spec.resources.find((r) => r.name === table);
    const keyColumns = resource ? primaryKey(resource).map(snakeCase) : [endpoint.id_field];
    const columns = await this.#db.getColumns(schema, table);
    const types = new Map(columns.map((c) => [c.column_name, c.data_type]));
    const exists = columns.length > 0;
    if (!exists && operation !== 'insert') {
      fail(
        `Table ${schema}.${table} has not been synced yet: sync '${schema}' first, so the preview can show the rows this changes.`,
        'not_found',
      );
    }
    const api = {
      method: endpoint.graphql ? 'POST (GraphQL)' : endpoint.method,
      path: endpoint.graphql
        ? `${endpoint.path} ${/mutation\s+(\w+)/.exec(endpoint.graphql.mutation)?.[1] ?? ''}`.trim()
        : endpoint.path,
      host: await this.#host(source, spec),
    };
    const from = `${quoteIdent(schema)}.${quoteIdent(table)}`;
    const checkWritable = (column: string) => {
      if (isWritable(endpoint, column)) return;
      const [verb, label] = operation === 'insert' ? ['inserted', 'Creatable'] : ['updated', 'Writable'];
      const list = writableColumns(endpoint, [...types.keys()]);
      fail(
        `Column '${column}' of ${schema}.${table} cannot be ${verb} through the ${spec.name} API. ${label}: ${list.join(', ') || 'none'}.`,
        'refused',
      );
    };
    const checkColumn = (column: string, what: string) => {
      if (!exists || types.has(column)) return;
      const hint = closest(column, [...types.keys()]);
      fail(
        `Column '${column}' does not exist in ${schema}.${table}${hint ? `. Did you mean '${hint}'?` : ''} (${what})`,
      );
    };

    if (parsed.operation === 'INSERT') {
      const inPath = new Set(placeholdersIn(endpoint.path));
      for (const c of parsed.columns) {
        checkColumn(c, 'INSERT column list');
        // Dinobase's own columns and path parts (a parent's key) address the create; they are not sent as fields.
        if (!c.startsWith('_') && !inPath.has(c)) checkWritable(c);
      }
      if (parsed.rows.length > maxAffectedRows) {
        fail(
          `This INSERT would create ${parsed.rows.length} rows (limit: ${maxAffectedRows}). Split it or increase max_affected_rows.`,
        );
      }
      const select = parsed.rows
        .map(
          (row) =>
            `SELECT ${row.map((expr, i) => `${cast(expr, types.get(parsed.columns[i]!))} AS ${quoteIdent(parsed.columns[i]!)}`).join(', ')}`,
        )
        .join(' UNION ALL ');
      const values = await this.#evaluate(select, 'the VALUES');
      const scopeCols = scopeColumns(endpoint);
      const rows: PlannedRow[] = values.map((row, index) => ({
        index,
        id: null,
        key: {},
        scope: Object.fromEntries(scopeCols.map((c) => [c, row[c] ?? null])),
        before: null,
        after: row,
      }));
      const n = rows.length;
      return {
        plan: { source: schema, source_type: spec.name, table, operation, columns: parsed.columns, rows },
        preview: {
          operation: 'INSERT',
          source: schema,
          table,
          rows_to_insert: n,
          data: values[0]!,
          rows: values,
          side_effects: [
            `Will call API to create ${n} record${n === 1 ? '' : 's'} in ${spec.name} (${api.method} ${api.path} on ${api.host}, one call per row)`,
          ],
          api: { ...api, calls: n },
        },
      };
    }

    if (parsed.operation === 'UPDATE') {
      for (const { column } of parsed.set) {
        checkColumn(column, 'SET');
        if (keyColumns.includes(column) || column === endpoint.id_field) {
          fail(`Column '${column}' identifies the row at the source and cannot be changed.`, 'refused');
        }
        if (column.startsWith('_'))
          fail(`Column '${column}' is Dinobase bookkeeping, not a field of the source.`, 'refused');
        checkWritable(column);
      }
    }
    const where = parsed.where;
    const verb = parsed.operation === 'UPDATE' ? 'update' : 'delete';
    const count = await this.#count(from, where);
    if (count === 0) fail(`No rows match the WHERE clause. Nothing to ${verb}.`, 'not_found');
    if (count > maxAffectedRows) {
      throw Object.assign(
        new MutationError(
          'refused',
          `This ${parsed.operation} would affect ${count} rows (limit: ${maxAffectedRows}). Add a more specific WHERE clause or increase max_affected_rows.`,
        ),
        { rows_affected: count },
      );
    }
    const idColumn = types.has(endpoint.id_field) ? endpoint.id_field : keyColumns[0]!;
    const scopeCols = scopeColumns(endpoint).filter((c) => types.has(c));
    const order =
      keyColumns
        .filter((c) => types.has(c))
        .map(quoteIdent)
        .join(', ') || '1';
    const whereSql = where ? ` WHERE ${where}` : '';

    if (parsed.operation === 'UPDATE') {
      const newCols = parsed.set.map((s, i) => `${cast(s.expr, types.get(s.column))} AS "__new_${i}"`);
      const sql = `SELECT ${quoteIdent(idColumn)} AS "__id", * , ${newCols.join(', ')} FROM ${from}${whereSql} ORDER BY ${order}`;
      const found = await this.#evaluate(sql, 'the SET values');
      const rows: PlannedRow[] = found.map((row, index) => ({
        index,
        id: row.__id === null || row.__id === undefined ? null : String(row.__id),
        key: Object.fromEntries(keyColumns.map((k) => [k, row[k] ?? null])),
        scope: Object.fromEntries(scopeCols.map((c) => [c, row[c] ?? null])),
        before: Object.fromEntries(parsed.set.map((s) => [s.column, row[s.column] ?? null])),
        after: Object.fromEntries(parsed.set.map((s, i) => [s.column, row[`__new_${i}`] ?? null])),
      }));
      const changes = rows.map((r) => ({
        id: r.id ?? 'unknown',
        ...Object.fromEntries(
          parsed.set.map((s) => [s.column, `${show(r.before![s.column])} → ${show(r.after![s.column])}`]),
        ),
      }));
      return {
        plan: {
          source: schema,
          source_type: spec.name,
          table,
          operation,
          columns: parsed.set.map((s) => s.column),
          rows,
        },
        preview: {
          operation: 'UPDATE',
          source: schema,
          table,
          rows_affected: count,
          changes,
          side_effects: [
            `Will call API to ${VERB.update} ${count} record(s) in ${spec.name} (${api.method} ${api.path} on ${api.host}, one API call per row)`,
          ],
          api: { ...api, calls: count },
        },
      };
    }

    const sql = `SELECT ${quoteIdent(idColumn)} AS "__id", * FROM ${from}${whereSql} ORDER BY ${order}`;
    const found = await this.#evaluate(sql, 'the rows to delete');
    const rows: PlannedRow[] = found.map((row, index) => {
      const { __id: id, ...rest } = row;
      return {
        index,
        id: id === null || id === undefined ? null : String(id),
        key: Object.fromEntries(keyColumns.map((k) => [k, row[k] ?? null])),
        scope: Object.fromEntries(scopeCols.map((c) => [c, row[c] ?? null])),
        before: rest,
        after: null,
      };
    });
    return {
      plan: { source: schema, source_type: spec.name, table, operation, columns: [], rows },
      preview: {
        operation: 'DELETE',
        source: schema,
        table,
        rows_affected: count,
        rows_to_delete: rows.map((r) =>
          Object.fromEntries(Object.entries(r.before!).map(([k, v]) => [k, show(v)])),
        ),
        side_effects: [
          `Will call API to ${VERB.delete} ${count} record(s) from ${spec.name} (${api.method} ${api.path} on ${api.host}, one API call per row)`,
        ],
        api: { ...api, calls: count },
      },
    };
  }

  async #count(from: string, where: string | null): Promise<number> {
    try {
      const [row] = await this.#db.query(
        `SELECT count(*)::BIGINT AS n FROM ${from}${where ? ` WHERE ${where}` : ''}`,
        [],
        // The WHERE is the user's text re-printed: DuckDB must read the whole as one statement.
        { single: true },
      );
      return Number(row?.n ?? 0);
    } catch (error) {
      return fail(`Failed to count affected rows: ${errorMessage(error)}`);
    }
  }

  async #evaluate(sql: string, what: string): Promise<JsonRow[]> {
    try {
      return await this.#db.query(sql, [], { single: true });
    } catch (error) {
      return fail(`Could not evaluate ${what}: ${errorMessage(error)}`);
    }
  }
}

/** New values are cast to the column's type at preview time, so a bad value fails before anything is sent. */
function cast(expr: string, type: string | undefined): string {
  return type ? `CAST((${expr}) AS ${type})` : `(${expr})`;
}
