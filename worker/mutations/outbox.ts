// The write-back outbox `_dinobase.mutation_rows`: each row's state survives the tab, so an execute can resume.
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';
import type { JsonValue } from '../values.ts';
import type { PlannedRow, RowResult, RowState } from './types.ts';

export interface OutboxRow {
  row_index: number;
  row_id: string | null;
  state: RowState;
  attempts: number;
  http_status: number | null;
  error: string | null;
  note: string | null;
  /** JSON envelope `{"local": ..., "body": <the API's answer>}`. */
  response: string | null;
  created_id: string | null;
}

/** Bodies above this are not kept: the outbox is for resuming and auditing, not a cache of API objects. */
const MAX_STORED_BODY = 64 * 1024;

export const isFinal = (state: RowState) =>
  state === 'ok' || state === 'failed' || state === 'skipped' || state === 'stale';

/** Rows are inserted this many per statement (each row binds 4 parameters). */
const CHUNK = 250;

export class Outbox {
  readonly #db: DinobaseDB;
  readonly mutationId: string;

  constructor(db: DinobaseDB, mutationId: string) {
    this.#db = db;
    this.mutationId = mutationId;
  }

  /** Adds every planned row as `pending` (rows already there keep their state) and returns all of them. */
  async open(rows: PlannedRow[]): Promise<Map<number, OutboxRow>> {
    // Migration 2 creates the table; opening the connection runs the migrations.
    await this.#db.conn;
    const now = this.#db.now();
    await this.#db.exclusive(async (conn) => {
      for (let start = 0; start < rows.length; start += CHUNK) {
        const chunk = rows.slice(start, start + CHUNK);
        await conn.queryParams(
          `INSERT INTO _dinobase.mutation_rows (mutation_id, row_index, row_id, state, attempts, updated_at)
           VALUES ${chunk.map(() => `(?, ?, ?, 'pending', 0, ?::TIMESTAMP)`).join(', ')}
           ON CONFLICT DO NOTHING`,
          chunk.flatMap((r) => [this.mutationId, r.index, r.id, now]),
        );
      }
    });
    return this.read();
  }

  async read(): Promise<Map<number, OutboxRow>> {
    const rows = await this.#db.query(
      `SELECT row_index, row_id, state, attempts, http_status, error, note, response, created_id
       FROM _dinobase.mutation_rows WHERE mutation_id = ? ORDER BY row_index`,
      [this.mutationId],
    );
    return new Map(
      rows.map((r) => [
        Number(r.row_index),
        {
          row_index: Number(r.row_index),
          row_id: r.row_id === null ? null : String(r.row_id),
          state: String(r.state) as RowState,
          attempts: Number(r.attempts ?? 0),
          http_status: r.http_status === null ? null : Number(r.http_status),
          error: (r.error as string | null) ?? null,
          note: (r.note as string | null) ?? null,
          response: (r.response as string | null) ?? null,
          created_id: (r.created_id as string | null) ?? null,
        },
      ]),
    );
  }

  /** Marks a row as on the wire; a row found in this state later was interrupted mid-request. */
  async sending(index: number): Promise<void> {
    await this.#db.exclusive((conn) =>
      conn.queryParams(
        `UPDATE _dinobase.mutation_rows SET state = 'sending', attempts = attempts + 1, updated_at = ?::TIMESTAMP
         WHERE mutation_id = ? AND row_index = ?`,
        [this.#db.now(), this.mutationId, index],
      ),
    );
  }

  /** Records a row's final result on `conn` (inside the caller's transaction with the local update). */
  async finish(conn: DuckConnection, result: RowResult, body?: unknown): Promise<void> {
    const envelope: Record<string, unknown> = {};
    if (result.local) envelope.local = result.local;
    if (body !== undefined && body !== null) {
      const text = JSON.stringify(body);
      if (text !== undefined && text.length <= MAX_STORED_BODY) envelope.body = body;
    }
    await conn.queryParams(
      `UPDATE _dinobase.mutation_rows SET state = ?, http_status = ?, error = ?, note = ?, response = ?,
         created_id = ?, updated_at = ?::TIMESTAMP
       WHERE mutation_id = ? AND row_index = ?`,
      [
        result.status,
        result.http_status ?? null,
        result.error ?? null,
        result.note ?? null,
        Object.keys(envelope).length > 0 ? JSON.stringify(envelope) : null,
        result.created_id ?? null,
        this.#db.now(),
        this.mutationId,
        result.index,
      ],
    );
  }
}

/** The result a finished row reported, rebuilt from its outbox row (a resumed or repeated execute). */
export function storedResult(row: OutboxRow): RowResult {
  const result: RowResult = {
    index: row.row_index,
    id: row.row_id,
    status: row.state === 'ok' || row.state === 'skipped' || row.state === 'stale' ? row.state : 'failed',
  };
  if (row.http_status !== null) result.http_status = row.http_status;
  if (row.error !== null) result.error = row.error;
  if (row.note !== null) result.note = row.note;
  if (row.created_id !== null) result.created_id = row.created_id;
  const local = storedLocal(row.response);
  if (local) result.local = local;
  return result;
}

function storedLocal(response: string | null): RowResult['local'] | undefined {
  if (!response) return undefined;
  try {
    const parsed = JSON.parse(response) as { local?: JsonValue };
    const local = parsed.local;
    return local === 'updated' ||
      local === 'inserted' ||
      local === 'deleted' ||
      local === 'not_synced' ||
      local === 'unchanged'
      ? local
      : undefined;
  } catch {
    return undefined;
  }
}
