// Incremental cursors: comparing values of one cursor field, and formatting the start value the way an API wants it.
import type { IncrementalSpec } from '../connectors/spec.ts';

export type CursorValue = string | number;

function asTime(value: CursorValue): number {
  if (typeof value === 'number') return value;
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
}

/** Numbers numerically, ISO timestamps by time, anything else as text. */
export function compareCursor(a: CursorValue, b: CursorValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ta = asTime(a);
  const tb = asTime(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function maxCursor(a: CursorValue | undefined, b: CursorValue | undefined): CursorValue | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareCursor(a, b) >= 0 ? a : b;
}

export function toCursor(value: unknown): CursorValue | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

/** The start value in the form the API's filter takes. */
export function formatStart(value: CursorValue, format: IncrementalSpec['format']): CursorValue {
  if (format === 'as_is') return value;
  const ms = typeof value === 'number' ? (value > 1e11 ? value : value * 1000) : Date.parse(value);
  if (Number.isNaN(ms)) return value;
  if (format === 'epoch_ms') return String(ms);
  if (format === 'unix_seconds') return Math.floor(ms / 1000);
  return new Date(ms).toISOString();
}

/** "Now" as a cursor of the same kind as `like` (unix seconds or ISO), for feeds that start at the first sync. */
export function cursorAt(ms: number, like: CursorValue): CursorValue {
  return typeof like === 'number' ? Math.floor(ms / 1000) : new Date(ms).toISOString();
}
