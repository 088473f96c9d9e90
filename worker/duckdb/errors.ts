// What both drivers share without importing either DuckDB: DuckDB's failures as QueryErrors, and parameters as DuckDB binds them.
import { QueryError, errorMessage } from '../errors.ts';
import type { Param } from './types.ts';

/** Said after an extension error by DuckDB-WASM, which links only core functions. */
export const WASM_EXTENSION_HINT =
  'Extensions are not available: this offline build of DuckDB-WASM links only core functions and never downloads one.';

/** Some failures arrive as DuckDB's JSON error object; render them as DuckDB's CLI would ("Parser Error: ..."). */
function duckMessage(raw: string): string {
  if (!raw.startsWith('{')) return raw;
  try {
    const parsed = JSON.parse(raw) as { exception_type?: string; exception_message?: string };
    if (!parsed.exception_message) return raw;
    return parsed.exception_type
      ? `${parsed.exception_type} Error: ${parsed.exception_message}`
      : parsed.exception_message;
  } catch {
    return raw;
  }
}

/** Turns a DuckDB failure into a QueryError whose message is DuckDB's own, minus advice that cannot work offline. */
export function toQueryError(
  error: unknown,
  signal?: AbortSignal,
  extensionHint = WASM_EXTENSION_HINT,
): QueryError {
  if (error instanceof QueryError) return error;
  const message = duckMessage(errorMessage(error));
  if (signal?.aborted || /query was cancell?ed|interrupt/i.test(message)) {
    const reason = signal?.reason instanceof Error ? signal.reason.message : 'cancelled';
    return new QueryError('interrupted', `Query interrupted: ${reason}`, { cause: error });
  }
  const extension = /exists in the (\w+) extension|extension "?(\w+)"? .*(?:not|could not) .*load/i.exec(
    message,
  );
  if (extension || /INSTALL \w+;/.test(message)) {
    const firstLine = message.split('\n')[0] ?? message;
    return new QueryError('extension_unavailable', `${firstLine} ${extensionHint}`, { cause: error });
  }
  return new QueryError('bad_sql', message, { cause: error });
}

/** A parameter as DuckDB-WASM's prepared statements take it: a bigint only while it is exact as a number. */
export function toDuckParam(value: Param): string | number | boolean | null {
  if (typeof value !== 'bigint') return value;
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
}
