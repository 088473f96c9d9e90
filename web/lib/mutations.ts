// Display helpers for mutation previews and results: diff cells, the API line, countdowns and summaries.
import type { MutationPreview, MutationRecord, RowResult } from '../../worker/api.ts';
import type { JsonValue } from '../../worker/values.ts';

type PreviewBody = MutationPreview['preview'];

/** One changed cell of an UPDATE preview, split from the engine's `old → new` text. */
export interface Change {
  column: string;
  old: string;
  new: string;
}

const ARROW = ' → ';

/** The columns an UPDATE preview changes, in SET order (every key of a change but `id`). */
export function changedColumns(preview: PreviewBody): string[] {
  const first = preview.changes?.[0];
  return first ? Object.keys(first).filter((k) => k !== 'id') : [];
}

export function splitChange(column: string, value: JsonValue | undefined): Change {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  const at = text.indexOf(ARROW);
  return at < 0
    ? { column, old: text, new: text }
    : { column, old: text.slice(0, at), new: text.slice(at + ARROW.length) };
}

/** `POST v1/customers/{id} on api.stripe.com · 1 call` */
export function apiLine(preview: PreviewBody): string {
  const { method, path, host, calls } = preview.api;
  return `${method} ${path} on ${host} · ${calls} call${calls === 1 ? '' : 's'}`;
}

/** How many records the mutation touches, e.g. "1 row to update". */
export function scopeLine(preview: PreviewBody): string {
  const n = preview.rows_affected ?? preview.rows_to_insert ?? preview.api.calls;
  const verb = { UPDATE: 'update', INSERT: 'create', DELETE: 'delete' }[preview.operation];
  return `${n} row${n === 1 ? '' : 's'} to ${verb}`;
}

/** Display text for a value in a diff or row table, NULL spelled out. */
export function cellText(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** "9:41" for the time left; "0:00" once past. */
export function countdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** "2 written, 1 failed — local table updated only for written rows". */
export function resultSummary(rows: RowResult[]): string {
  const ok = rows.filter((r) => r.status === 'ok').length;
  const failed = rows.filter((r) => r.status === 'failed').length;
  const skipped = rows.filter((r) => r.status === 'skipped').length;
  const stale = rows.filter((r) => r.status === 'stale').length;
  const parts = [`${ok} written`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (stale > 0) parts.push(`${stale} changed since preview`);
  if (skipped > 0) parts.push(`${skipped} skipped`);
  const tail =
    ok === 0
      ? 'local table unchanged'
      : failed + skipped + stale > 0
        ? 'local table updated only for written rows'
        : 'local table updated';
  return `${parts.join(', ')} — ${tail}`;
}

/** The history line for a finished mutation: "1 written" / the error / the status. */
export function recordSummary(record: MutationRecord): string {
  if (record.result) return resultSummary(record.result.api_write_back.details);
  if (record.error_message) return record.error_message;
  return record.status;
}

/** A stored record as the preview the review panel shows (null for records without one). */
export function recordPreview(record: MutationRecord): MutationPreview | null {
  if (!record.preview) return null;
  return {
    mutation_id: record.mutation_id,
    status: 'pending_confirmation',
    preview: record.preview,
    expires_at: record.expires_at ?? new Date(0).toISOString(),
    confirm: '',
  };
}

/** "14:03:07" today, else "Mar 4, 14:03". */
export function shortTime(iso: string | null, today = new Date()): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return at.toDateString() === today.toDateString()
    ? time
    : `${at.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}, ${time}`;
}

/** Leading whitespace, `--` line comments and (nested) block comments. */
function skipComments(sql: string): string {
  let rest = sql.trimStart();
  for (;;) {
    if (rest.startsWith('--')) {
      const nl = rest.indexOf('\n');
      rest = nl < 0 ? '' : rest.slice(nl + 1).trimStart();
    } else if (rest.startsWith('/*')) {
      let depth = 0;
      let i = 0;
      do {
        if (rest.startsWith('/*', i)) [depth, i] = [depth + 1, i + 2];
        else if (rest.startsWith('*/', i)) [depth, i] = [depth - 1, i + 2];
        else i++;
      } while (depth > 0 && i < rest.length);
      rest = rest.slice(i).trimStart();
    } else return rest;
  }
}

/** Whether SQL is a write (UPDATE, INSERT or DELETE first): its answer, preview or refusal, replaces the review. */
export function isWriteSql(sql: string): boolean {
  return /^(update|insert|delete)\b/i.test(skipComments(sql));
}
