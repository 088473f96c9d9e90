// What each format's reader gets: the file, a connection, where to stage, and registration that is undone afterwards.
import type { DuckConnection } from '../duckdb/index.ts';
import { ImportError, errorMessage } from '../errors.ts';
import type { ParquetWasm } from '../parquet/types.ts';

/** Progress of one import, for a progress bar: `done` of `total` in the reader's unit (bytes, row groups, tables). */
export interface ImportProgress {
  file: string;
  phase: 'reading' | 'loading' | 'done';
  done: number;
  total: number;
  rows: number;
}

export interface ReadContext {
  conn: DuckConnection;
  /** The file as given (a browser File, or a Blob named by `fileName`). */
  file: Blob;
  fileName: string;
  /** The staging table the reader creates and fills (schema `_dinobase_staging`). */
  staging: { schema: string; name: string };
  /** Makes a Blob readable by SQL for this import; forgotten when the import ends. */
  register(suffix: string, blob: Blob): Promise<string>;
  /** Same for a few bytes this import made (a sniffing sample, a converted file). */
  registerBytes(suffix: string, bytes: Uint8Array): Promise<string>;
  parquet: () => Promise<ParquetWasm>;
  progress(update: Omit<ImportProgress, 'file'>): void;
}

/** DuckDB's first line of a message, without its "LINE 1: …" context or advice. */
export function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/^[\w ]+Error: /, '').trim();
}

/** The ImportError for a file that failed to read: names the file, where it failed, and DuckDB's reason. */
export function badFile(
  fileName: string,
  where: string | null,
  reason: string,
  cause?: unknown,
): ImportError {
  const at = where ? ` at ${where}` : '';
  return new ImportError('bad_file', `Cannot import "${fileName}"${at}: ${reason}. Nothing was imported.`, {
    cause,
  });
}

/** An error from a reader as-is when it is already ours, else wrapped with the file's name. */
export function asImportError(fileName: string, error: unknown): Error {
  if (error instanceof ImportError) return error;
  return badFile(fileName, null, firstLine(errorMessage(error)), error);
}
