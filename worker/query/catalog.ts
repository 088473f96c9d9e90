// The catalog views agents and the sidebar read: listSources and describeTable, with "did you mean" help.
import type { ConnectorRegistry } from '../connectors/registry.ts';
import { META_SCHEMA, SCRATCH_SCHEMA } from '../meta/migrations.ts';
import { relatedTables, type RelatedTable } from '../semantic/relationships.ts';
import { FILES_SCHEMA, FILES_SOURCE_TYPE } from '../files/names.ts';
import type { DinobaseDB } from '../db.ts';
import { qualified } from '../sql.ts';
import { tableToRows, type JsonRow } from '../values.ts';
import { teamSources } from '../team/store.ts';
import { loadFreshness, type SourceFreshness } from './freshness.ts';

/** A source as the catalog sees it: its schema's tables, rows and freshness (the proxy's view is `SourceSummary`). */
export interface CatalogSource {
  name: string;
  type: string | null;
  /** `view: true` for a view in scratch (its rows are not counted: a view may be slow, or broken by a re-sync). */
  tables: { name: string; rows: number; view?: true }[];
  table_count: number;
  total_rows: number;
  last_sync: string | null;
  age?: string | null;
  freshness_threshold?: string | null;
  is_stale?: boolean;
  /** Pulled team data (published by the server): the version and when it was published. */
  team?: { version: string | null; published_at: string | null };
}

export interface DescribedColumn {
  name: string;
  type: string;
  nullable: boolean;
  description?: string;
  note?: string;
  /** Tags set with `annotate` (pii, owner, …). */
  metadata?: Record<string, string>;
}

export interface TableDescription {
  schema: string;
  table: string;
  row_count: number;
  columns: DescribedColumn[];
  last_sync: string | null;
  description?: string;
  /** Table tags set with `annotate`. */
  metadata?: Record<string, string>;
  age?: string | null;
  is_stale?: boolean;
  sample_rows: JsonRow[];
  /** Join paths to other tables: annotated, declared by the connector, or found by the heuristic pass. */
  related_tables?: RelatedTable[];
}

const isUserTable = (name: string) => !name.startsWith('_dlt_') && !name.startsWith('_live_');

/** Every source schema and scratch with its user tables (no `_dlt_`/`_live_` bookkeeping), in one catalog query. */
export async function userTables(db: DinobaseDB, views?: Set<string>): Promise<Map<string, string[]>> {
  const schemas = [...(await db.getSchemas()), SCRATCH_SCHEMA];
  const out = new Map<string, string[]>(schemas.map((s) => [s, []]));
  const rows = await db.query(
    `SELECT table_schema, table_name, table_type FROM information_schema.tables
     WHERE table_catalog = current_database() ORDER BY table_schema, table_name`,
  );
  for (const row of rows) {
    const list = out.get(String(row.table_schema));
    if (list && isUserTable(String(row.table_name))) list.push(String(row.table_name));
    if (list && row.table_type === 'VIEW')
      views?.add(`${String(row.table_schema)}.${String(row.table_name)}`);
  }
  return out;
}

function freshnessFields(f: SourceFreshness | undefined) {
  if (!f) return { age: null, freshness_threshold: '1h', is_stale: true };
  if (f.threshold_seconds === null) return {};
  return { age: f.age, freshness_threshold: f.freshness_threshold, is_stale: f.is_stale };
}

export async function listSources(db: DinobaseDB): Promise<{ sources: CatalogSource[] }> {
  const views = new Set<string>();
  const tables = await userTables(db, views);
  const pairs = [...tables]
    .flatMap(([schema, names]) => names.map((name) => [schema, name] as const))
    .filter(([s, t]) => !views.has(`${s}.${t}`));
  const counts = new Map<string, number>();
  if (pairs.length > 0) {
    const union = pairs
      .map(([s, t], i) => `SELECT ${i} AS i, COUNT(*) AS n FROM ${qualified(s, t)}`)
      .join(' UNION ALL ');
    for (const row of await db.query(union)) {
      const [s, t] = pairs[Number(row.i)]!;
      counts.set(`${s}.${t}`, Number(row.n));
    }
  }
  const [freshness, team] = await Promise.all([loadFreshness(db), teamSources(db)]);
  const sources: CatalogSource[] = [];
  for (const [schema, names] of tables) {
    if (names.length === 0) continue;
    const list = names.map((name) =>
      views.has(`${schema}.${name}`)
        ? { name, rows: 0, view: true as const }
        : { name, rows: counts.get(`${schema}.${name}`) ?? 0 },
    );
    if (schema === SCRATCH_SCHEMA || schema === FILES_SCHEMA) {
      // The user's own objects and imported files: never synced, so no freshness and never stale (as the
      // original's parquet/csv file connectors).
      sources.push({
        name: schema,
        type: schema === FILES_SCHEMA ? FILES_SOURCE_TYPE : SCRATCH_SCHEMA,
        tables: list,
        table_count: list.length,
        total_rows: list.reduce((n, t) => n + t.rows, 0),
        last_sync: null,
      });
      continue;
    }
    const f = freshness.get(schema);
    sources.push({
      name: schema,
      type: f?.type ?? null,
      tables: list,
      table_count: list.length,
      total_rows: list.reduce((n, t) => n + t.rows, 0),
      last_sync: f?.last_sync ?? null,
      ...freshnessFields(f),
      ...(team.has(schema) && {
        team: { version: team.get(schema)!.version, published_at: team.get(schema)!.published_at },
      }),
    });
  }
  return { sources };
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length]!;
}

/** Best-matching "schema.table" for a reference that matched nothing, or null. */
export async function suggestTable(db: DinobaseDB, ref: string): Promise<string | null> {
  const target = ref.toLowerCase();
  const bare = target.split('.').pop() ?? target;
  let best: { name: string; score: number } | null = null;
  for (const [schema, names] of await userTables(db)) {
    for (const table of names) {
      const full = `${schema}.${table}`.toLowerCase();
      const candidates = [full, table.toLowerCase(), `${schema}_${table}`.toLowerCase()];
      let score = 0;
      for (const c of candidates) {
        for (const t of [target, bare, target.replace('.', '_')]) {
          if (c.includes(t)) score = Math.max(score, t.length / c.length);
          else if (t.includes(c)) score = Math.max(score, c.length / t.length);
          score = Math.max(score, 1 - levenshtein(c, t) / Math.max(c.length, t.length));
        }
      }
      if (!best || score > best.score) best = { name: `${schema}.${table}`, score };
    }
  }
  return best && best.score > 0.5 ? best.name : null;
}

const unquote = (part: string) => part.trim().replace(/^"(.*)"$/, '$1');

/** `annotate`'s tags for a table: column '' holds the table's own. */
async function tags(
  db: DinobaseDB,
  schema: string,
  table: string,
): Promise<Map<string, Record<string, string>>> {
  const rows = await db.query(
    `SELECT column_name, key, value FROM _dinobase.metadata WHERE schema_name = ? AND table_name = ? ORDER BY key`,
    [schema, table],
  );
  const out = new Map<string, Record<string, string>>();
  for (const r of rows) {
    const column = String(r.column_name);
    if (!out.has(column)) out.set(column, {});
    out.get(column)![String(r.key)] = String(r.value ?? '');
  }
  return out;
}

export async function describeTable(
  db: DinobaseDB,
  ref: string,
  options: { connectors?: ConnectorRegistry } = {},
): Promise<TableDescription | { error: string }> {
  const parts = ref.split('.').map(unquote);
  if (parts.length > 2 || parts.some((p) => p === '')) {
    return { error: `Invalid table reference: '${ref}'. Use 'schema.table' format.` };
  }
  let schema: string;
  const table = parts[parts.length - 1]!;
  if (parts.length === 2) {
    schema = parts[0]!;
  } else {
    const found = [...(await userTables(db))].find(([, names]) => names.includes(table));
    if (!found) {
      const suggestion = await suggestTable(db, ref);
      return {
        error: `Table '${table}' not found in any schema.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
      };
    }
    schema = found[0];
  }
  const columns =
    schema === META_SCHEMA || (await db.tableExists(schema, table)) ? await db.getColumns(schema, table) : [];
  if (columns.length === 0) {
    const suggestion = await suggestTable(db, ref);
    return { error: `Table '${ref}' not found.${suggestion ? ` Did you mean '${suggestion}'?` : ''}` };
  }
  const [annotations, rowCount, freshness, stored, sample, tagged, related] = await Promise.all([
    db.getColumnAnnotations(schema, table),
    db.getRowCount(schema, table),
    loadFreshness(db),
    db.query('SELECT description FROM _dinobase.tables WHERE schema_name = ? AND table_name = ? LIMIT 1', [
      schema,
      table,
    ]),
    db.run(`SELECT * FROM ${qualified(schema, table)} LIMIT 3`).then(
      (t) => tableToRows(t),
      () => [],
    ),
    tags(db, schema, table),
    schema === META_SCHEMA ? [] : relatedTables(db, options.connectors, schema, table),
  ]);
  const f = freshness.get(schema);
  const description = stored[0]?.description;
  return {
    schema,
    table,
    row_count: rowCount,
    columns: columns.map((c) => {
      const a = annotations[c.column_name];
      return {
        name: c.column_name,
        type: c.data_type,
        nullable: c.is_nullable === 'YES',
        ...(a?.description ? { description: a.description } : {}),
        ...(a?.note ? { note: a.note } : {}),
        ...(tagged.has(c.column_name) ? { metadata: tagged.get(c.column_name) } : {}),
      };
    }),
    last_sync: f?.last_sync ?? null,
    ...(typeof description === 'string' && description ? { description } : {}),
    ...(tagged.has('') ? { metadata: tagged.get('') } : {}),
    ...(f && f.threshold_seconds !== null ? { age: f.age, is_stale: f.is_stale } : {}),
    sample_rows: sample,
    ...(related.length > 0 ? { related_tables: related } : {}),
  };
}
