// Which schemas hold loaded sample data rather than synced data: schema-level rows in `_dinobase.metadata`.
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';

/** The schema-level keys (table_name and column_name ''): when sample data was last loaded, and how often. */
const LOADED_AT = 'sample_loaded_at';
const LOADS = 'sample_loads';

/** Marks `schema` as sample data loaded at `now` (inside the load's transaction). */
export async function markSample(conn: DuckConnection, schema: string, now: string): Promise<void> {
  await conn.queryParams(
    `INSERT INTO _dinobase.metadata (schema_name, table_name, column_name, key, value)
     VALUES (?, '', '', '${LOADED_AT}', ?), (?, '', '', '${LOADS}', '1')
     ON CONFLICT DO UPDATE SET value = CASE WHEN key = '${LOADS}'
       THEN (value::INTEGER + 1)::VARCHAR ELSE EXCLUDED.value END`,
    [schema, now, schema],
  );
}

/** Forgets that `schema` holds sample data (a sync replaced it). */
export async function clearSample(conn: DuckConnection, schema: string): Promise<void> {
  await conn.queryParams(
    `DELETE FROM _dinobase.metadata WHERE schema_name = ? AND table_name = '' AND key IN ('${LOADED_AT}', '${LOADS}')`,
    [schema],
  );
}

/** Whether `schema` holds sample data now. */
export async function holdsSample(db: DinobaseDB, schema: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM _dinobase.metadata WHERE schema_name = ? AND table_name = '' AND key = '${LOADED_AT}'`,
    [schema],
  );
  return rows.length > 0;
}

/** The SQL of `(name, loaded_at)` for every schema holding sample data, for catalog queries to join. */
export const SAMPLE_SCHEMAS_SQL = `SELECT schema_name AS name, value AS loaded_at FROM _dinobase.metadata
  WHERE table_name = '' AND column_name = '' AND key = '${LOADED_AT}'`;
