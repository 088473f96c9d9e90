// `annotate`: descriptions, notes and tags on tables and columns, and relationships, with the original's semantics and messages.
import type { DinobaseDB } from '../db.ts';
import { ConfigError } from '../errors.ts';
import type { AnnotationInput, RelationshipInput } from '../agent/specs.ts';

export type AnnotateItem = AnnotationInput | RelationshipInput;

export type AnnotateResult =
  | { annotated: string; key: string; value: string }
  | { stored: 1; relationship: string }
  | { error: string; code: 'invalid_argument' | 'not_found' };

const invalidTarget = (target: string) =>
  `Invalid target '${target}'. Use 'schema.table' or 'schema.table.column'`;

function splitTable(ref: string): { schema: string; table: string } | null {
  const parts = ref.split('.');
  if (parts.length !== 2 || parts.some((p) => p.trim() === '')) return null;
  return { schema: parts[0]!.trim(), table: parts[1]!.trim() };
}

/** A ConfigError naming the table or column that does not exist. */
async function checkExists(db: DinobaseDB, schema: string, table: string, column?: string): Promise<void> {
  const columns = (await db.tableExists(schema, table)) ? await db.getColumns(schema, table) : [];
  if (columns.length === 0) throw new ConfigError('not_found', `Table '${schema}.${table}' not found.`);
  if (column !== undefined && !columns.some((c) => c.column_name === column)) {
    throw new ConfigError(
      'not_found',
      `Column '${column}' not found in ${schema}.${table}. Columns: ${columns.map((c) => c.column_name).join(', ')}`,
    );
  }
}

async function annotateTarget(db: DinobaseDB, item: AnnotationInput): Promise<AnnotateResult> {
  const parts = item.target.split('.');
  if ((parts.length !== 2 && parts.length !== 3) || parts.some((p) => p.trim() === '')) {
    return { error: invalidTarget(item.target), code: 'invalid_argument' };
  }
  const [schema, table, column] = parts.map((p) => p.trim()) as [string, string, string | undefined];
  await checkExists(db, schema, table, column);
  const { key, value } = item;
  await db.transaction(async (conn) => {
    if (column === undefined && key === 'description') {
      // An upsert, not the original's update-only: a table annotated before its first metadata refresh keeps it.
      await conn.queryParams(
        `INSERT INTO _dinobase.tables (connector_name, schema_name, table_name, description) VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET description = EXCLUDED.description`,
        [schema, schema, table, value],
      );
    } else if (column !== undefined && (key === 'description' || key === 'note')) {
      // `annotated` keeps it over the connector's own annotations on the next sync.
      await conn.queryParams(
        `INSERT INTO _dinobase.columns (connector_name, schema_name, table_name, column_name, ${key}, annotated)
         VALUES (?, ?, ?, ?, ?, true)
         ON CONFLICT DO UPDATE SET ${key} = EXCLUDED.${key}, annotated = true`,
        [schema, schema, table, column, value],
      );
    } else {
      await conn.queryParams(
        `INSERT INTO _dinobase.metadata (schema_name, table_name, column_name, key, value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET value = EXCLUDED.value`,
        [schema, table, column ?? '', key, value],
      );
    }
  });
  return { annotated: item.target, key, value };
}

async function storeRelationship(db: DinobaseDB, item: RelationshipInput): Promise<AnnotateResult> {
  const from = splitTable(item.from_table);
  const to = splitTable(item.to_table);
  if (!from || !to) {
    const bad = from ? item.to_table : item.from_table;
    return { error: `Invalid table '${bad}'. Use 'schema.table'`, code: 'invalid_argument' };
  }
  await checkExists(db, from.schema, from.table, item.from_column);
  await checkExists(db, to.schema, to.table, item.to_column);
  await db.exclusive((conn) =>
    conn.queryParams(
      `INSERT INTO _dinobase.relationships (from_schema, from_table, from_column, to_schema, to_table, to_column,
         cardinality, confidence, description, detected_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1.0, ?, ?::TIMESTAMP)
       ON CONFLICT DO UPDATE SET cardinality = EXCLUDED.cardinality, confidence = EXCLUDED.confidence,
         description = EXCLUDED.description`,
      [
        from.schema,
        from.table,
        item.from_column,
        to.schema,
        to.table,
        item.to_column,
        item.cardinality,
        item.description,
        db.now(),
      ],
    ),
  );
  return {
    stored: 1,
    relationship: `${item.from_table}.${item.from_column} → ${item.to_table}.${item.to_column}`,
  };
}

/**
 * Stores one annotation or relationship. They live in `_dinobase.tables`/`columns`/`metadata` and
 * `_dinobase.relationships`, which a re-sync never overwrites; the write is checkpointed at once.
 */
export async function annotate(db: DinobaseDB, item: AnnotateItem): Promise<AnnotateResult> {
  try {
    const result = 'target' in item ? await annotateTarget(db, item) : await storeRelationship(db, item);
    if (!('error' in result)) await db.checkpoint();
    return result;
  } catch (error) {
    if (error instanceof ConfigError && error.code === 'not_found')
      return { error: error.message, code: 'not_found' };
    throw error;
  }
}
