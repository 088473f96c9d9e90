// Pending mutations in _dinobase.mutations: the `--force` suffix, new ids, expiry, and reading the records back.
import type { DinobaseDB } from '../db.ts';
import type { JsonValue } from '../values.ts';
import type { PreviewBody } from './preview.ts';
import type { PendingMutation } from './store.ts';
import type {
  BatchPreview,
  ConfirmResult,
  MutationPreview,
  MutationRecord,
  MutationStatus,
} from './types.ts';

/** The original's `--force`, ending the SQL: execute without a separate confirm. */
const FORCE = /\s*--\s*force\s*$/i;

/** Whether `sql` ends in `--force`, and the SQL without it. */
export function splitForce(sql: string): { forced: boolean; body: string } {
  const forced = FORCE.test(sql);
  return { forced, body: forced ? sql.replace(FORCE, '') : sql };
}

/** A random id such as `mut_0123456789ab`: `bytes` random bytes in hex after the prefix. */
export function newId(prefix: 'mut' | 'batch', bytes = 6): string {
  const hex = [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  return `${prefix}_${hex}`;
}

/** Marks every pending mutation whose `expires_at` is at or before `now` (an SQL timestamp) as expired. */
export async function expireStale(db: DinobaseDB, now: string): Promise<void> {
  await db.exclusive((conn) =>
    conn.queryParams(
      `UPDATE _dinobase.mutations SET status = 'expired' WHERE status = 'pending' AND expires_at <= ?::TIMESTAMP`,
      [now],
    ),
  );
}

/**
 * The mutations `tail` (WHERE / ORDER BY / LIMIT over the columns below, `created` and `id` being the raw
 * creation time and sequence) selects, as records. A pending mutation past its `expires_at` at `now` reads as
 * expired whether or not `expireStale` recorded it, so a read-only database answers the same.
 */
export async function readRecords(
  db: DinobaseDB,
  now: string,
  tail: string,
  params: string[] = [],
): Promise<MutationRecord[]> {
  const rows = await db.query(
    `SELECT * FROM (
       SELECT m.id, m.created_at AS created, mutation_id, connector_name, table_name, operation, sql_text, preview,
              CASE WHEN m.status = 'pending' AND m.expires_at <= ?::TIMESTAMP THEN 'expired' ELSE m.status END AS status,
              strftime(m.created_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS created_at,
              strftime(m.expires_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS expires_at,
              strftime(m.confirmed_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS confirmed_at,
              strftime(m.executed_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS executed_at,
              result, error_message, batch_id, client
       FROM _dinobase.mutations m
     ) ${tail}`,
    [now, ...params],
  );
  const parse = <T>(value: JsonValue | undefined): T | null =>
    typeof value === 'string' && value ? (JSON.parse(value) as T) : null;
  const text = (value: JsonValue | undefined): string | null => (value == null ? null : String(value));
  return rows.map((r) => ({
    mutation_id: String(r.mutation_id),
    connector_name: String(r.connector_name),
    table_name: String(r.table_name),
    operation: String(r.operation),
    sql_text: String(r.sql_text),
    preview: parse<PreviewBody>(r.preview),
    status: String(r.status) as MutationStatus,
    created_at: String(r.created_at),
    expires_at: text(r.expires_at),
    confirmed_at: text(r.confirmed_at),
    executed_at: text(r.executed_at),
    result: parse<ConfirmResult>(r.result),
    error_message: text(r.error_message),
    batch_id: text(r.batch_id),
    client: text(r.client),
  }));
}

/** A previewed write not stored yet (see MutationEngine.stage). */
export interface StagedMutation {
  record: PendingMutation;
  response: MutationPreview;
}

/** The batch answer the original gives for several writes. */
export function batchPreview(
  batchId: string,
  statements: number,
  mutations: MutationPreview[],
  errors: { sql: string; error: string }[] | null,
): BatchPreview {
  const ids = mutations.map((m) => m.mutation_id);
  return {
    batch_id: batchId,
    status: 'pending_confirmation',
    statements,
    valid: mutations.length,
    errors,
    sources_involved: [...new Set(mutations.map((m) => m.preview.source))],
    mutations,
    confirm: `Call confirm for each mutation_id, or confirm_batch with all IDs: [${ids.map((i) => `'${i}'`).join(', ')}]`,
  };
}
