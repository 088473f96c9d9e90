// DuckDB-WASM's streamed read (queryBatches, the export's source): a pending query handed on one chunk at a time.
import { DataType, Table } from 'apache-arrow';
import { tableFromResultIPC } from '../../common/arrow.ts';
import { END_OF_STREAM, checkAborted, concat, start, type DuckCalls } from './driver-head.ts';
import type { BatchOptions } from './types.ts';

/**
 * Streams a pending query's result to `onBatch` one DuckDB chunk at a time, the schema first. One fetch is in
 * flight while the consumer handles the previous chunk. Streamed results carry no dictionary batches, so a
 * result with ENUM columns is read once more in one piece (docs/ARCHITECTURE.md, Export).
 */
export async function batchesOf(
  db: DuckCalls,
  conn: number,
  sql: string,
  { onBatch, signal }: BatchOptions,
): Promise<void> {
  const header = await start(db, conn, sql, true, signal);
  const empty = tableFromResultIPC(concat([header, END_OF_STREAM]));
  if (empty.schema.fields.some((f) => DataType.isDictionary(f.type))) {
    const whole = tableFromResultIPC(await db.runQuery(conn, sql));
    await onBatch(new Table(whole.schema));
    for (const batch of whole.batches) await onBatch(new Table(whole.schema, [batch]));
    return;
  }
  await onBatch(empty);
  let next: Promise<Uint8Array | null> | null = db.fetchQueryResults(conn);
  try {
    for (;;) {
      const chunk: Uint8Array | null = await next;
      next = null;
      checkAborted(signal);
      if (chunk != null && chunk.byteLength === 0) return;
      next = db.fetchQueryResults(conn);
      if (chunk != null) await onBatch(tableFromResultIPC(concat([header, chunk, END_OF_STREAM])));
    }
  } finally {
    await next?.catch(() => undefined);
  }
}
