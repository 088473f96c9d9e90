// The stale-preview check: compares a live record (normalised like a sync) with what the preview showed.
import { parseTimestampMicros } from '../ingest/arrow.ts';
import type { JsonValue } from '../values.ts';
import type { PlannedRow } from './types.ts';

/** A normalised record: local column → value; a column the API sent as null is present with null. */
export type LocalShaped = Record<string, unknown>;

/** Columns that move on every change, so a delete can tell the record was edited since preview. */
export const VERSION_COLUMNS = ['updated_at', 'updated', 'lastmodifieddate', 'hs_lastmodifieddate'];

const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const NUMERIC_TEXT = /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/;

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';

/** Epoch microseconds of a timestamp given as text or as unix seconds/milliseconds; null if it is neither. */
function micros(value: unknown): bigint | null {
  if (typeof value === 'string' && TIMESTAMP_TEXT.test(value)) return parseTimestampMicros(value);
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Stripe sends unix seconds, HubSpot's hs_* stamps epoch milliseconds: no real date is ambiguous.
    return BigInt(Math.round(Math.abs(value) >= 1e11 ? value * 1000 : value * 1_000_000));
  }
  return null;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * Equality across the shapes one value takes in the API and in DuckDB: 42 and "42", ISO text and
 * `YYYY-MM-DD HH:MM:SS` and unix seconds, true and "true"; null, absent and "" are all "unset".
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (typeof a === 'object' || typeof b === 'object') return canonical(a) === canonical(b);
  if (typeof a === typeof b && typeof a !== 'string') return a === b;
  const timeA = micros(a);
  const timeB = micros(b);
  if (timeA !== null && timeB !== null && (typeof a === 'string' || typeof b === 'string')) {
    return timeA === timeB;
  }
  if (typeof a === 'number' || typeof b === 'number') {
    const [num, other] = typeof a === 'number' ? [a, b] : [b, a];
    return typeof other === 'string' && NUMERIC_TEXT.test(other) && Number(other) === num;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    return String(a).toLowerCase() === String(b).toLowerCase();
  }
  return String(a) === String(b);
}

/** Short, readable form of a value for messages. */
export function shown(value: unknown): string {
  if (value === undefined || value === null) return 'NULL';
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

export type Staleness =
  | { kind: 'write' }
  | { kind: 'applied' }
  | { kind: 'changed'; column: string; previewed: JsonValue; live: unknown };

/**
 * Decides an update from the live record: every SET column must still hold its previewed value or already
 * hold the new one. All new → already applied (a resumed or repeated execute); any other value → changed.
 * A column the API did not send cannot be judged and is left out.
 */
export function judgeUpdate(columns: string[], row: PlannedRow, live: LocalShaped): Staleness {
  let compared = 0;
  let applied = 0;
  for (const column of columns) {
    if (!(column in live)) continue;
    compared++;
    const value = live[column];
    const previewed = row.before?.[column] ?? null;
    const wanted = row.after?.[column] ?? null;
    if (sameValue(value, wanted)) applied++;
    else if (!sameValue(value, previewed)) return { kind: 'changed', column, previewed, live: value };
  }
  return compared > 0 && applied === compared ? { kind: 'applied' } : { kind: 'write' };
}

/** A delete only checks that the record was not edited since preview, through its version column if any. */
export function judgeDelete(row: PlannedRow, live: LocalShaped): Staleness {
  const before = row.before ?? {};
  const column = VERSION_COLUMNS.find((c) => c in before && before[c] !== null && c in live);
  if (!column || sameValue(live[column], before[column])) return { kind: 'write' };
  return { kind: 'changed', column, previewed: before[column] ?? null, live: live[column] };
}
