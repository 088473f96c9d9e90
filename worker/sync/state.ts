// Incremental cursors per resource in `_dinobase.sync_state`, written in the same transaction as the data.
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';
import type { CursorValue } from './cursor.ts';

/** The change feed of `customers` keeps its own cursor under `customers#changes`. */
export const feedKey = (resource: string) => `${resource}#changes`;

export async function loadCursors(db: DinobaseDB, source: string): Promise<Map<string, CursorValue>> {
  const rows = await db.query(
    'SELECT resource_name, cursor_value FROM _dinobase.sync_state WHERE connector_name = ?',
    [source],
  );
  const out = new Map<string, CursorValue>();
  for (const row of rows) {
    if (typeof row.cursor_value !== 'string') continue;
    const value = JSON.parse(row.cursor_value) as unknown;
    if (typeof value === 'string' || typeof value === 'number') out.set(String(row.resource_name), value);
  }
  return out;
}

export async function saveCursors(
  conn: DuckConnection,
  source: string,
  cursors: Map<string, CursorValue>,
  now: string,
): Promise<void> {
  for (const [resource, value] of cursors) {
    await conn.queryParams(
      `INSERT INTO _dinobase.sync_state (connector_name, resource_name, cursor_value, updated_at)
       VALUES (?, ?, ?, ?::TIMESTAMP)
       ON CONFLICT DO UPDATE SET cursor_value = EXCLUDED.cursor_value, updated_at = EXCLUDED.updated_at`,
      [source, resource, JSON.stringify(value), now],
    );
  }
}
