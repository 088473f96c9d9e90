// Join paths for `describe`: stored relationships (annotate), the connector specs' declared ones, and a heuristic pass over the data.
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type { DinobaseDB } from '../db.ts';
import { loadFreshness } from '../query/freshness.ts';
import { qualified } from '../sql.ts';

export type Cardinality = 'one_to_one' | 'one_to_many' | 'many_to_one' | 'many_to_many';

export interface RelatedTable {
  /** The other table, "schema.table". */
  table: string;
  /** Always from → to, e.g. "ON stripe.subscriptions.customer = stripe.customers.id". */
  join: string;
  cardinality: Cardinality;
  description: string;
  source: 'annotation' | 'connector' | 'heuristic';
  /** Share of the referencing values found on the other side (heuristic only). */
  confidence?: number;
}

interface End {
  schema: string;
  table: string;
  column: string;
}

export interface Edge {
  from: End;
  to: End;
  cardinality: Cardinality;
  description: string;
  source: RelatedTable['source'];
  confidence?: number;
}

const ident = (name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`);
const path = (e: End) => `${ident(e.schema)}.${ident(e.table)}.${ident(e.column)}`;
const sameEnd = (a: End, b: End) => a.schema === b.schema && a.table === b.table && a.column === b.column;
const touches = (e: Edge, schema: string, table: string) =>
  (e.from.schema === schema && e.from.table === table) || (e.to.schema === schema && e.to.table === table);

/** Edges stored by `annotate` (and any other writer of `_dinobase.relationships`) touching the table. */
async function storedEdges(db: DinobaseDB, schema: string, table: string): Promise<Edge[]> {
  const rows = await db.query(
    `SELECT * FROM _dinobase.relationships
     WHERE (from_schema = ? AND from_table = ?) OR (to_schema = ? AND to_table = ?)
     ORDER BY confidence DESC, from_schema, from_table, from_column`,
    [schema, table, schema, table],
  );
  return rows.map((r) => ({
    from: { schema: String(r.from_schema), table: String(r.from_table), column: String(r.from_column) },
    to: { schema: String(r.to_schema), table: String(r.to_table), column: String(r.to_column) },
    cardinality: String(r.cardinality) as Cardinality,
    description: String(r.description ?? ''),
    source: 'annotation',
  }));
}

/** The connector spec a schema's data came from: its source's type, or (sample data) the schema's own name. */
async function connectorTypes(db: DinobaseDB, connectors: ConnectorRegistry): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, f] of await loadFreshness(db)) {
    const type = f.type && connectors.has(f.type) ? f.type : connectors.has(name) ? name : null;
    if (type) out.set(name, type);
  }
  return out;
}

/** Relationships the connector spec of each source declares, placed in that source's schema. */
export async function connectorEdges(
  db: DinobaseDB,
  connectors: ConnectorRegistry | undefined,
): Promise<Edge[]> {
  if (!connectors) return [];
  const edges: Edge[] = [];
  for (const [schema, type] of await connectorTypes(db, connectors)) {
    for (const r of connectors.get(type).relationships) {
      const [fromTable, fromColumn] = r.from.split('.') as [string, string];
      const [toTable, toColumn] = r.to.split('.') as [string, string];
      edges.push({
        from: { schema, table: fromTable, column: fromColumn },
        to: { schema, table: toTable, column: toColumn },
        cardinality: r.cardinality,
        description: r.description,
        source: 'connector',
      });
    }
  }
  return edges;
}

/** `customer_id` / `team__id` → the table names it may point to (`customer`, `customers`, `team`, `teams`, …). */
export function referencedTableNames(column: string): string[] {
  if (column.startsWith('_dlt_')) return [];
  const match = /^(.+?)(?:__|_)id$/.exec(column);
  if (!match) return [];
  const stem = match[1]!;
  const stems = [stem, stem.split(/_+/).pop()!];
  const out = new Set<string>();
  for (const s of stems) {
    out.add(s).add(`${s}s`).add(`${s}es`);
    if (s.endsWith('y')) out.add(`${s.slice(0, -1)}ies`);
  }
  return [...out];
}

interface Catalog {
  /** schema → table → columns */
  tables: Map<string, Map<string, string[]>>;
}

async function catalog(db: DinobaseDB): Promise<Catalog> {
  const rows = await db.query(
    `SELECT table_schema AS s, table_name AS t, list(column_name ORDER BY ordinal_position) AS cols
     FROM information_schema.columns
     WHERE table_catalog = current_database() AND table_schema NOT IN ('_dinobase', '_dinobase_staging', 'main')
       AND NOT starts_with(table_name, '_dlt_') AND NOT starts_with(table_name, '_live_')
     GROUP BY ALL`,
  );
  const tables = new Map<string, Map<string, string[]>>();
  for (const r of rows) {
    const schema = String(r.s);
    if (!tables.has(schema)) tables.set(schema, new Map());
    tables.get(schema)!.set(String(r.t), (r.cols as string[]).map(String));
  }
  return { tables };
}

function cardinalityOf(fromUnique: boolean, toUnique: boolean): Cardinality {
  if (fromUnique) return toUnique ? 'one_to_one' : 'one_to_many';
  return toUnique ? 'many_to_one' : 'many_to_many';
}

/** How many distinct `from` values are found in `to`, and whether each side's values are unique. */
async function overlap(db: DinobaseDB, from: End, to: End, normalise: (c: string) => string) {
  const f = normalise(ident(from.column));
  const t = normalise(ident(to.column));
  const [row] = await db.query(
    `WITH a AS (SELECT ${f} AS v FROM ${qualified(from.schema, from.table)} WHERE ${ident(from.column)} IS NOT NULL),
          b AS (SELECT ${t} AS v FROM ${qualified(to.schema, to.table)} WHERE ${ident(to.column)} IS NOT NULL)
     SELECT (SELECT count(*) FROM a) AS a_rows, (SELECT count(DISTINCT v) FROM a) AS a_distinct,
            (SELECT count(*) FROM b) AS b_rows, (SELECT count(DISTINCT v) FROM b) AS b_distinct,
            (SELECT count(*) FROM (SELECT DISTINCT v FROM a) WHERE v IN (SELECT v FROM b)) AS hits`,
  );
  const n = (key: string) => Number(row?.[key] ?? 0);
  return {
    distinct: n('a_distinct'),
    otherDistinct: n('b_distinct'),
    hits: n('hits'),
    fromUnique: n('a_rows') === n('a_distinct'),
    toUnique: n('b_rows') === n('b_distinct'),
  };
}

const MIN_FK_CONFIDENCE = 0.5;
const MIN_EMAIL_CONFIDENCE = 0.2;
const round = (x: number) => Math.round(x * 100) / 100;

/**
 * The heuristic pass for one table: its `*_id` / `*__id` columns whose values are found in a same-schema
 * table's `id` (and the same from other tables to this one), and `email` columns shared with other sources.
 * Confidence is the share of distinct values that match.
 */
export async function heuristicEdges(db: DinobaseDB, schema: string, table: string): Promise<Edge[]> {
  const { tables } = await catalog(db);
  const own = tables.get(schema);
  const columns = own?.get(table);
  if (!own || !columns) return [];
  const candidates: { from: End; to: End }[] = [];
  const pointsTo = (fromTable: string, column: string, target: string) =>
    referencedTableNames(column).includes(target) && own.get(target)?.includes('id') && fromTable !== target;
  for (const column of columns) {
    for (const target of own.keys()) {
      if (pointsTo(table, column, target)) {
        candidates.push({ from: { schema, table, column }, to: { schema, table: target, column: 'id' } });
      }
    }
  }
  if (columns.includes('id')) {
    for (const [other, cols] of own) {
      for (const column of cols) {
        if (pointsTo(other, column, table)) {
          candidates.push({ from: { schema, table: other, column }, to: { schema, table, column: 'id' } });
        }
      }
    }
  }
  const edges: Edge[] = [];
  for (const { from, to } of candidates.slice(0, 20)) {
    const o = await overlap(db, from, to, (c) => `CAST(${c} AS VARCHAR)`);
    if (o.distinct === 0) continue;
    const confidence = o.hits / o.distinct;
    if (confidence < MIN_FK_CONFIDENCE) continue;
    edges.push({
      from,
      to,
      cardinality: cardinalityOf(o.fromUnique, o.toUnique),
      description: `Heuristic: ${from.table}.${from.column} values are ${to.table}.id (${o.hits} of ${o.distinct})`,
      source: 'heuristic',
      confidence: round(confidence),
    });
  }
  if (columns.includes('email')) {
    for (const [otherSchema, others] of tables) {
      if (otherSchema === schema) continue;
      for (const [other, cols] of others) {
        if (!cols.includes('email')) continue;
        const from = { schema, table, column: 'email' };
        const to = { schema: otherSchema, table: other, column: 'email' };
        const o = await overlap(db, from, to, (c) => `lower(CAST(${c} AS VARCHAR))`);
        const smaller = Math.min(o.distinct, o.otherDistinct);
        if (smaller === 0 || o.hits / smaller < MIN_EMAIL_CONFIDENCE) continue;
        edges.push({
          from,
          to,
          cardinality: cardinalityOf(o.fromUnique, o.toUnique),
          description: `Heuristic: shared email values across sources (${o.hits} match)`,
          source: 'heuristic',
          confidence: round(o.hits / smaller),
        });
      }
    }
  }
  return edges;
}

/** The table's join paths: stored first, then the connector's, then the heuristic's; one per pair of columns. */
export async function relatedTables(
  db: DinobaseDB,
  connectors: ConnectorRegistry | undefined,
  schema: string,
  table: string,
): Promise<RelatedTable[]> {
  const { tables } = await catalog(db);
  const exists = (e: End) => tables.get(e.schema)?.get(e.table)?.includes(e.column) ?? false;
  const declared = (await connectorEdges(db, connectors)).filter(
    (e) => touches(e, schema, table) && exists(e.from) && exists(e.to),
  );
  const all = [
    ...(await storedEdges(db, schema, table)),
    ...declared,
    ...(await heuristicEdges(db, schema, table)),
  ];
  const kept: Edge[] = [];
  for (const edge of all) {
    const dup = kept.some(
      (k) =>
        (sameEnd(k.from, edge.from) && sameEnd(k.to, edge.to)) ||
        (sameEnd(k.from, edge.to) && sameEnd(k.to, edge.from)),
    );
    if (!dup) kept.push(edge);
  }
  return kept.map((e) => {
    const other = e.from.schema === schema && e.from.table === table ? e.to : e.from;
    return {
      table: `${other.schema}.${other.table}`,
      join: `ON ${path(e.from)} = ${path(e.to)}`,
      cardinality: e.cardinality,
      description: e.description,
      source: e.source,
      ...(e.confidence !== undefined ? { confidence: e.confidence } : {}),
    };
  });
}

/** Of these sources, those with no stored and no declared relationship: the instructions' "not built" hint. */
export async function sourcesWithoutRelationships(
  db: DinobaseDB,
  sources: { name: string }[],
  connectors?: ConnectorRegistry,
): Promise<string[]> {
  const rows = await db.query(
    `SELECT DISTINCT from_schema AS s FROM _dinobase.relationships
     UNION SELECT DISTINCT to_schema FROM _dinobase.relationships`,
  );
  const built = new Set(rows.map((r) => String(r.s)));
  for (const e of await connectorEdges(db, connectors)) built.add(e.from.schema);
  return sources.map((s) => s.name).filter((name) => !built.has(name));
}
