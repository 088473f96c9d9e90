// Exports a read's whole result or a whole table as Parquet, JSON, NDJSON or CSV, streamed out in chunks.
import type { DinobaseDB } from '../db.ts';
import { ConfigError, QueryError } from '../errors.ts';
import { classify } from '../query/classify.ts';
import { SCRATCH_VERBS } from '../query/scratch.ts';
import { showTablesSql } from '../query/show.ts';
import { qualified } from '../sql.ts';
import { Chunker, type ChunkSink } from './chunks.ts';
import { parquetEncoder } from './parquet.ts';
import type { LoadParquetWasm } from '../parquet/types.ts';
import { csvEncoder, jsonEncoder, ndjsonEncoder, type Encoder } from './text.ts';

export const EXPORT_FORMATS = ['parquet', 'json', 'ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const MIME: Record<ExportFormat, string> = {
  parquet: 'application/vnd.apache.parquet',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv;charset=utf-8',
};

export interface ExportRequest {
  /** A read (the last statement of a script of reads); or `table`, `schema.table`. */
  sql?: string;
  table?: string;
  format: ExportFormat;
}

export interface ExportResult {
  format: ExportFormat;
  /** A name to save it under: the table's, else `dinobase-result`, with the format's extension. */
  file_name: string;
  mime_type: string;
  row_count: number;
  byte_count: number;
  elapsed_ms: number;
}

/** `schema.table` (quotes allowed around either part) as SQL that reads it whole. */
function tableSql(ref: string): { sql: string; name: string } {
  const parts = ref.split('.').map((p) =>
    p
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .replaceAll('""', '"'),
  );
  if (parts.length !== 2 || parts.some((p) => p === '')) {
    throw new ConfigError('invalid_argument', `Invalid table '${ref}': export takes 'schema.table'.`);
  }
  return { sql: `SELECT * FROM ${qualified(parts[0]!, parts[1]!)}`, name: parts[1]! };
}

/**
 * The statement to stream: the query classifier decides as for any query (reads only, the same refusals),
 * then the last statement of a script is the one exported (earlier ones already ran when the result was
 * shown, and a scratch write must not run twice).
 */
async function statementOf(db: DinobaseDB, sql: string): Promise<string> {
  const classification = classify(sql);
  if (classification.kind === 'empty') throw new QueryError('refused', classification.error);
  if (classification.kind === 'refused') {
    throw new QueryError(classification.code ?? 'refused', classification.error);
  }
  if (classification.kind === 'mutation') {
    throw new QueryError('refused', 'Export takes a read (SELECT, FROM, WITH, SHOW…), not a write.');
  }
  const last = classification.statements.at(-1)!;
  if (last.kind !== 'read') {
    throw new QueryError('refused', `Export takes a read; the last statement is a ${last.verb}.`);
  }
  if (SCRATCH_VERBS.has(last.verb)) {
    throw new QueryError('refused', `Export takes a read; the last statement is a ${last.verb}.`);
  }
  return (await showTablesSql(db, last.tokens)) ?? last.text;
}

function check(request: ExportRequest): void {
  if (!(EXPORT_FORMATS as readonly string[]).includes(request.format)) {
    throw new ConfigError(
      'invalid_argument',
      `Unknown export format '${String(request.format)}'. Use one of: ${EXPORT_FORMATS.join(', ')}.`,
    );
  }
  if ((request.sql === undefined) === (request.table === undefined)) {
    throw new ConfigError('invalid_argument', 'Export takes either `sql` or `table`, not both or neither.');
  }
}

/**
 * Streams the result batch by batch from DuckDB through the format's encoder to `onChunk` (chunks of about
 * 1 MB; the next batch is read only after `onChunk` settles). On its own connection, so a long export never
 * queues the editor's queries behind it.
 */
export async function exportData(
  db: DinobaseDB,
  request: ExportRequest,
  options: { onChunk: ChunkSink; signal?: AbortSignal; loadParquet: LoadParquetWasm },
): Promise<ExportResult> {
  const started = performance.now();
  check(request);
  const { format } = request;
  const target = request.table !== undefined ? tableSql(request.table) : null;
  const sql = await statementOf(db, target ? target.sql : request.sql!);
  const out = new Chunker(options.onChunk);
  const encoder: Encoder =
    format === 'parquet'
      ? await parquetEncoder(out, options.loadParquet)
      : format === 'json'
        ? jsonEncoder(out)
        : format === 'ndjson'
          ? ndjsonEncoder(out)
          : csvEncoder(out);
  let rows = 0;
  const conn = await db.connect();
  try {
    await conn.queryBatches(sql, {
      signal: options.signal,
      single: true,
      onBatch: async (batch) => {
        rows += batch.numRows;
        await encoder.write(batch);
      },
    });
    await encoder.finish();
    await out.flush();
  } catch (error) {
    encoder.abort?.(error);
    throw error;
  } finally {
    await conn.close();
  }
  return {
    format,
    file_name: `${target?.name ?? 'dinobase-result'}.${format}`,
    mime_type: MIME[format],
    row_count: rows,
    byte_count: out.total,
    elapsed_ms: Math.round((performance.now() - started) * 100) / 100,
  };
}
