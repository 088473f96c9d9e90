// File-import helpers for the UI: the table name a file suggests, the formats the picker accepts, progress text.
import type { ImportProgress } from '../../worker/api.ts';

/** What the file picker offers: the extensions the engine reads. */
export const ACCEPTED_FILES = '.csv,.tsv,.txt,.json,.ndjson,.jsonl,.parquet,.pq,.duckdb,.db';

/** The engine's default table name for a file, shown prefilled and editable. */
export { tableNameFor as suggestedTableName } from '../../common/file-names.ts';

/** True when the file's extension is CSV-like, so the dialog shows delimiter and header. */
export function isCsvLike(fileName: string): boolean {
  return /\.(csv|tsv|txt)$/i.test(fileName);
}

/** "loading · 3 of 10 row groups · 12,000 rows" style text, with a 0..1 fraction for a progress bar. */
export function progressOf(p: ImportProgress | null): { text: string; fraction: number | null } {
  if (!p) return { text: 'Starting…', fraction: null };
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : null;
  const rows = p.rows > 0 ? ` · ${p.rows.toLocaleString()} rows` : '';
  return {
    text: `${p.phase === 'done' ? 'Done' : p.phase === 'reading' ? 'Reading' : 'Loading'}${rows}`,
    fraction,
  };
}

/** The files of a drag, or none when it carries no files (text, links). */
export function draggedFiles(transfer: DataTransfer | null): File[] {
  return transfer ? [...transfer.files] : [];
}
