// What both drivers share without importing either DuckDB: DuckDB's failures as QueryErrors, and parameters as DuckDB binds them.
import { MAX_CALL_BYTES, formatBytes, utf8Bytes } from '../../common/sql-guard.ts';
import { QueryError, errorMessage } from '../errors.ts';
import { WASM_EXTENSION_HINT, lockdownError } from './lockdown.ts';
import type { Param } from './types.ts';

/** Some failures arrive as DuckDB's JSON error object; render them as DuckDB's CLI would ("Parser Error: ..."). */
const EXTRACT_PREFIX = 'Failed to extract statements: ';

function duckMessage(raw: string): string {
  // Native DuckDB's statement count (the one-statement check) wraps the parser's error; DuckDB-WASM's prepare does not.
  if (raw.startsWith(EXTRACT_PREFIX)) return duckMessage(raw.slice(EXTRACT_PREFIX.length));
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

/**
 * Turns a DuckDB failure into a QueryError whose message is DuckDB's own, minus advice that cannot work
 * offline; the lockdown's refusals and missing extensions get their own codes and say what to do instead.
 */
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
  const refused = lockdownError(message, error, extensionHint);
  if (refused) return refused;
  return new QueryError('bad_sql', message, { cause: error });
}

/**
 * DuckDB separates statements only at `;` tokens, so text with no `;` before its end is one statement: the
 * one-statement check (RunOptions.single) asks DuckDB only when this is true.
 */
export function mayHoldSeveral(sql: string): boolean {
  return sql.trimEnd().slice(0, -1).includes(';');
}

/** A parameter as DuckDB-WASM's prepared statements take it: a bigint only while it is exact as a number. */
export function toDuckParam(value: Param): string | number | boolean | null {
  if (typeof value !== 'bigint') return value;
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
}

/**
 * Refuses a call whose SQL text plus parameters exceed MAX_CALL_BYTES before DuckDB sees it: DuckDB-WASM copies
 * both onto its stack, and a few MB there corrupt its memory for every later query.
 */
export function checkCallSize(sql: string, params: readonly Param[] = []): void {
  let bytes = utf8Bytes(sql);
  for (const param of params) if (typeof param === 'string') bytes += utf8Bytes(param);
  if (bytes > MAX_CALL_BYTES) {
    throw new QueryError(
      'invalid_argument',
      `A statement with its values of ${formatBytes(bytes)} is too large to hand to DuckDB: the limit is ${formatBytes(MAX_CALL_BYTES)}.`,
    );
  }
}

/** What a caller sees when DuckDB read a text as several statements where one was asked for. */
export function notOneStatement(count: number | null): QueryError {
  return new QueryError(
    'refused',
    `DuckDB reads this text as ${count ?? 'several'} statements, and only one statement runs per call: nothing ran.`,
  );
}

/** How long a cancelled statement may take to stop before the driver gives up waiting for it. */
export const HUNG_GRACE_MS = 2000;

/** What a driver does when a cancelled statement outlives HUNG_GRACE_MS (see `runUnderSignal`). */
export interface HungStatement {
  /** The engine's name in the message: `DuckDB` or `DuckDB-WASM`. */
  engine: string;
  /** Asks DuckDB to stop (interrupt, cancelPendingQuery); it lands only where DuckDB checks for it. */
  cancel: () => void;
  /** Given "Query interrupted (…), but <engine> did not stop within … ms (…)", acts and returns the whole message. */
  onHung: (notStopped: string) => string;
  /**
   * How long DuckDB has been working on this statement (ms), or null while it waits behind other work (a sync's
   * write on another connection): only a statement DuckDB works on can be hung. Without it, the statement is
   * taken to have run since the cancel.
   */
  runningFor?: () => number | null;
}

/** How often a cancelled statement waiting behind other work is looked at again. */
const WAITING_POLL_MS = 250;

/**
 * After a cancel: at HUNG_GRACE_MS the caller stops waiting (`answer`). A statement DuckDB has worked on for the
 * grace is hung (`onHung`, which may stop DuckDB); one that waits behind other work is watched until it runs for
 * the grace or ends, because stopping DuckDB then would kill that other work, not this statement.
 */
function watchCancelled(
  hung: HungStatement,
  reason: string,
  answer: (error: QueryError) => void,
): { end(): void } {
  let answered = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const running = hung.runningFor ? hung.runningFor() : HUNG_GRACE_MS;
    if (running !== null && running >= HUNG_GRACE_MS) {
      const notStopped =
        `Query interrupted (${reason}), but ${hung.engine} did not stop within ${HUNG_GRACE_MS} ms ` +
        '(it cannot interrupt planning)';
      const message = hung.onHung(notStopped);
      if (!answered) answer(new QueryError('interrupted', message));
      return;
    }
    if (!answered) {
      answered = true;
      answer(
        new QueryError(
          'interrupted',
          `Query interrupted (${reason}) while ${hung.engine} was busy with other work (a sync or a load); ` +
            'the statement stops when DuckDB reaches it, and that work goes on.',
        ),
      );
    }
    timer = setTimeout(check, running === null ? WAITING_POLL_MS : HUNG_GRACE_MS - running);
  };
  timer = setTimeout(check, HUNG_GRACE_MS);
  return { end: () => clearTimeout(timer) };
}

/**
 * Runs `task` under `signal`. An abort before the start refuses it; an abort while it runs calls `cancel`, and the
 * caller gets an `interrupted` error instead of hanging when the statement has not stopped HUNG_GRACE_MS later
 * (DuckDB cannot interrupt planning; see `watchCancelled`). Errors are the task's own; callers map them.
 */
export async function runUnderSignal<T>(
  signal: AbortSignal | undefined,
  task: () => Promise<T>,
  hung: HungStatement,
): Promise<T> {
  if (!signal) return task();
  if (signal.aborted) throw toQueryError(new Error('interrupted'), signal);
  let watch: { end(): void } | null = null;
  let listener = () => {};
  const given = new Promise<never>((_, reject) => {
    listener = () => {
      hung.cancel();
      const reason = signal.reason instanceof Error ? signal.reason.message : 'cancelled';
      watch = watchCancelled(hung, reason, reject);
    };
  });
  signal.addEventListener('abort', listener, { once: true });
  try {
    const run = task();
    // The watch outlives the caller's wait while the statement runs on, and ends with it.
    const end = () => watch?.end();
    run.then(end, end);
    return await Promise.race([run, given]);
  } finally {
    signal.removeEventListener('abort', listener);
  }
}
