// The few named errors of the engine; each carries a stable `code` and survives the worker boundary.

export type ErrorCode =
  | 'bad_sql'
  | 'refused'
  | 'interrupted'
  | 'not_found'
  | 'not_ready'
  | 'locked'
  | 'not_persistent'
  | 'busy'
  | 'extension_unavailable'
  | 'network_refused'
  | 'invalid_argument'
  | 'would_replace'
  | 'sync_failed'
  | 'http_error'
  | 'network_error'
  | 'bad_response'
  | 'config_invalid'
  | 'mutation_failed'
  | 'bad_file'
  | 'internal';

/**
 * Each class states its name: the production build minifies class names away, and the name is what
 * rebuilds the class on the other side of the worker boundary.
 */
export class DinobaseError extends Error {
  override name = 'DinobaseError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A statement failed, was refused, or was interrupted. */
export class QueryError extends DinobaseError {
  override name = 'QueryError';
}
/** A sync could not fetch, parse or load a source. */
export class SyncError extends DinobaseError {
  override name = 'SyncError';
}
/** A write-back could not be previewed or executed. */
export class MutationError extends DinobaseError {
  override name = 'MutationError';
}
/** The engine is not usable yet (not opened, or held by another tab). */
export class NotReadyError extends DinobaseError {
  override name = 'NotReadyError';
}
/** A spec, option or argument is invalid. */
export class ConfigError extends DinobaseError {
  override name = 'ConfigError';
}

/** A file could not be imported (code `bad_file`): the message names the file and where it failed. */
export class ImportError extends DinobaseError {
  override name = 'ImportError';
}

const classes = {
  DinobaseError,
  QueryError,
  SyncError,
  MutationError,
  NotReadyError,
  ConfigError,
  ImportError,
} as const;
export type ErrorName = keyof typeof classes;

export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof DinobaseError) {
    return { name: error.name, code: error.code, message: error.message, stack: error.stack };
  }
  if (error instanceof Error)
    return { name: error.name, code: 'internal', message: error.message, stack: error.stack };
  return { name: 'Error', code: 'internal', message: String(error) };
}

/** Rebuilds the named class on the receiving side so `instanceof` and `code` keep working. */
export function deserializeError(data: SerializedError): Error {
  const Cls = data.name in classes ? classes[data.name as ErrorName] : DinobaseError;
  const error = new Cls(data.code, data.message);
  if (data.stack) error.stack = data.stack;
  return error;
}

export { errorMessage } from '../common/error-message.ts';
