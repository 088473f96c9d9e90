// What a dropped file is and what its table is called: the format by extension, the table name from the file name.
import { ConfigError } from '../errors.ts';
import { tableNameFor } from '../../common/file-names.ts';

export { tableNameFor };

/** The schema every imported file's table lives in: a source of its own, read-only to user SQL. */
export const FILES_SCHEMA = 'files';
/** The `type` listSources gives it: a file connector (the original's parquet/csv category), never stale. */
export const FILES_SOURCE_TYPE = 'file';

export type FileFormat = 'csv' | 'json' | 'ndjson' | 'parquet' | 'duckdb';

export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'json', 'ndjson', 'parquet', 'duckdb'];

const BY_EXTENSION: Record<string, FileFormat> = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  parquet: 'parquet',
  pq: 'parquet',
  duckdb: 'duckdb',
  db: 'duckdb',
};

function extension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/** The format `fileName`'s extension names; a ConfigError listing the known ones otherwise. */
export function formatOf(fileName: string): FileFormat {
  const format = BY_EXTENSION[extension(fileName)];
  if (format) return format;
  const known = Object.keys(BY_EXTENSION)
    .map((e) => `.${e}`)
    .join(', ');
  throw new ConfigError(
    'invalid_argument',
    `Cannot import "${fileName}": unknown file type "${extension(fileName) || '(none)'}". Known: ${known}, or pass a format (${FILE_FORMATS.join(', ')}).`,
  );
}

/** Checks a table name the caller chose: lower-case letters, digits and "_", not starting with a digit. */
export function checkTableName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new ConfigError(
      'invalid_argument',
      `Invalid table name "${name}": use lower-case letters, digits and "_" (at most 63), not starting with a digit, e.g. "${tableNameFor(name || 'file')}".`,
    );
  }
  return name;
}
