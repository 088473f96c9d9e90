// Stores a pending mutation in _dinobase.mutations, its long texts in pieces small enough for DuckDB-WASM.
import { MAX_VALUE_BYTES } from '../../common/sql-guard.ts';
import type { DinobaseDB } from '../db.ts';

/** One parameter of a few MB corrupts DuckDB-WASM's memory, so no stored text goes to DuckDB longer than this. */
export const STORE_CHUNK = MAX_VALUE_BYTES / 2;

export interface PendingMutation {
  mutation_id: string;
  connector_name: string;
  table_name: string;
  operation: string;
  sql_text: string;
  preview: string;
  created_at: string;
  plan: string;
  expires_at: string;
  batch_id: string | null;
  /** The MCP client that previewed it, or null for a person or the library. */
  client: string | null;
}

/** Inserts the row with the first piece of each text, then appends the rest, all in one transaction. */
export async function insertPending(db: DinobaseDB, row: PendingMutation): Promise<void> {
  await db.transaction(async (conn) => {
    await conn.queryParams(
      `INSERT INTO _dinobase.mutations
         (mutation_id, connector_name, table_name, operation, sql_text, preview, status, created_at, plan, expires_at, batch_id, client)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?::TIMESTAMP, ?, ?::TIMESTAMP, ?, ?)`,
      [
        row.mutation_id,
        row.connector_name,
        row.table_name,
        row.operation,
        row.sql_text.slice(0, STORE_CHUNK),
        row.preview.slice(0, STORE_CHUNK),
        row.created_at,
        row.plan.slice(0, STORE_CHUNK),
        row.expires_at,
        row.batch_id,
        row.client,
      ],
    );
    for (const column of ['sql_text', 'preview', 'plan'] as const) {
      const text = row[column];
      for (let at = STORE_CHUNK; at < text.length; at += STORE_CHUNK) {
        await conn.queryParams(
          `UPDATE _dinobase.mutations SET ${column} = ${column} || ? WHERE mutation_id = ?`,
          [text.slice(at, at + STORE_CHUNK), row.mutation_id],
        );
      }
    }
  });
}
