// The table and column catalog in `_dinobase.tables`/`columns`: refreshed from the live schema after a sync, read for annotations.
import type { DinobaseDB } from '../db.ts';
import { qualified, sqlValue } from '../sql.ts';

export interface ColumnAnnotation {
  description?: string | null;
  note?: string | null;
}

/** `{table: {column: {description, note}}}`, as the seed passes them. */
export type Annotations = Record<string, Record<string, ColumnAnnotation>>;

/**
 * Refreshes `_dinobase.tables` and `_dinobase.columns` from the live schema: new columns appear, dropped
 * ones go, and an annotation left null never erases one already stored, nor replaces one set by `annotate`. Set-based, so a schema with
 * hundreds of columns costs a handful of statements.
 */
export async function updateTableMetadata(
  db: DinobaseDB,
  sourceName: string,
  schemaName: string,
  annotations: Annotations = {},
): Promise<void> {
  const tables = (await db.getTables(schemaName)).filter(
    (t) => !t.startsWith('_dlt_') && !t.startsWith('_live_'),
  );
  const source = sqlValue(sourceName);
  const schema = sqlValue(schemaName);
  const liveTables = tables.length > 0 ? tables.map((t) => sqlValue(t)).join(', ') : 'NULL';
  const counts =
    tables.length > 0
      ? tables
          .map((t) => `SELECT ${sqlValue(t)} AS t, COUNT(*) AS n FROM ${qualified(schemaName, t)}`)
          .join(' UNION ALL ')
      : 'SELECT NULL::VARCHAR AS t, 0::BIGINT AS n WHERE false';
  const notes = Object.entries(annotations).flatMap(([table, columns]) =>
    Object.entries(columns).map(
      ([column, a]) =>
        `(${sqlValue(table)}, ${sqlValue(column)}, ${sqlValue(a.description)}, ${sqlValue(a.note)})`,
    ),
  );
  const noteRows =
    notes.length > 0 ? `VALUES ${notes.join(', ')}` : 'SELECT NULL, NULL, NULL, NULL WHERE false';
  const live = `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
    WHERE table_catalog = current_database() AND table_schema = ${schema} AND table_name IN (${liveTables})`;
  const now = sqlValue(db.now());
  await db.transaction(async (conn) => {
    await conn.query(`DELETE FROM _dinobase.columns c WHERE connector_name = ${source} AND schema_name = ${schema}
      AND NOT EXISTS (SELECT 1 FROM (${live}) l WHERE l.table_name = c.table_name AND l.column_name = c.column_name)`);
    await conn.query(`DELETE FROM _dinobase.tables WHERE connector_name = ${source} AND schema_name = ${schema}
      AND table_name NOT IN (${liveTables})`);
    if (tables.length === 0) return;
    await conn.query(`INSERT INTO _dinobase.tables (connector_name, schema_name, table_name, row_count, last_sync)
      SELECT ${source}, ${schema}, t, n, ${now}::TIMESTAMP FROM (${counts})
      ON CONFLICT DO UPDATE SET row_count = EXCLUDED.row_count, last_sync = EXCLUDED.last_sync`);
    await conn.query(`INSERT INTO _dinobase.columns
        (connector_name, schema_name, table_name, column_name, column_type, is_nullable, description, note)
      SELECT ${source}, ${schema}, l.table_name, l.column_name, l.data_type, l.is_nullable = 'YES', a.d, a.n
      FROM (${live}) l LEFT JOIN (${noteRows}) a(t, c, d, n) ON a.t = l.table_name AND a.c = l.column_name
      ON CONFLICT DO UPDATE SET column_type = EXCLUDED.column_type, is_nullable = EXCLUDED.is_nullable,
        description = CASE WHEN _dinobase.columns.annotated THEN _dinobase.columns.description
          ELSE COALESCE(EXCLUDED.description, _dinobase.columns.description) END,
        note = CASE WHEN _dinobase.columns.annotated THEN _dinobase.columns.note
          ELSE COALESCE(EXCLUDED.note, _dinobase.columns.note) END`);
  });
  await db.checkpoint();
}

/** `{column: {description, note}}` for the columns that carry either. */
export async function getColumnAnnotations(
  db: DinobaseDB,
  schema: string,
  table: string,
): Promise<Record<string, ColumnAnnotation>> {
  const rows = await db.query(
    `SELECT column_name, description, note FROM _dinobase.columns
     WHERE schema_name = ? AND table_name = ? AND (COALESCE(description, '') <> '' OR COALESCE(note, '') <> '')
     ORDER BY column_name`,
    [schema, table],
  );
  const out: Record<string, ColumnAnnotation> = {};
  for (const r of rows) {
    out[String(r.column_name)] = {
      description: (r.description as string | null) ?? null,
      note: (r.note as string | null) ?? null,
    };
  }
  return out;
}
