// SHOW TABLES and SHOW ALL TABLES over every source schema: DuckDB's own list only the empty default schema.
import type { Token } from '../../common/sql-lexer.ts';
import type { DinobaseDB } from '../db.ts';
import { qualified, quoteLiteral } from '../sql.ts';
import { userTables } from './catalog.ts';

const EMPTY = {
  tables: 'NULL::VARCHAR AS schema, NULL::VARCHAR AS name, NULL::BIGINT AS rows, NULL::BIGINT AS columns',
  all: 'NULL::VARCHAR AS schema, NULL::VARCHAR AS name, NULL::BIGINT AS rows, NULL::VARCHAR[] AS column_names, NULL::VARCHAR[] AS column_types',
};

/** `SHOW TABLES` → 'tables', `SHOW ALL TABLES` → 'all', anything else (`SHOW TABLES FROM s`, …) → null. */
export function showTablesKind(tokens: readonly Token[]): 'tables' | 'all' | null {
  if (tokens.some((t) => t.kind !== 'word')) return null;
  const words = tokens.map((t) => t.text).join(' ');
  return words === 'SHOW TABLES' ? 'tables' : words === 'SHOW ALL TABLES' ? 'all' : null;
}

/**
 * One statement listing the user tables of every source schema (never `_dinobase`, staging or `_dlt_` tables)
 * with exact row counts, or null when `tokens` are not SHOW [ALL] TABLES.
 */
export async function showTablesSql(db: DinobaseDB, tokens: readonly Token[]): Promise<string | null> {
  const kind = showTablesKind(tokens);
  if (!kind) return null;
  // Tables only: a scratch view may be slow, or broken by a DROP of what it reads.
  const views = new Set<string>();
  const pairs = [...(await userTables(db, views))]
    .flatMap(([schema, names]) => names.map((name) => [schema, name]))
    .filter(([s, t]) => !views.has(`${s}.${t}`));
  if (pairs.length === 0) return `SELECT ${EMPTY[kind]} WHERE false`;
  const counts = pairs
    .map(([s, t]) => `SELECT ${quoteLiteral(s!)}, ${quoteLiteral(t!)}, count(*) FROM ${qualified(s!, t!)}`)
    .join(' UNION ALL ');
  const columns =
    kind === 'tables'
      ? 'count(*) AS columns'
      : 'list(d.column_name ORDER BY d.column_index) AS column_names, list(d.data_type ORDER BY d.column_index) AS column_types';
  return `WITH counts(schema, name, rows) AS (${counts})
    SELECT c.schema, c.name, c.rows, ${columns}
    FROM counts c JOIN duckdb_columns() d
      ON d.database_name = current_database() AND d.schema_name = c.schema AND d.table_name = c.name
    GROUP BY c.schema, c.name, c.rows ORDER BY c.schema, c.name`;
}
