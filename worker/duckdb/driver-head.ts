// DuckDB-WASM's bounded read (queryHead): streams the first chunks of a result, then counts the rest in DuckDB.
import type * as duckdb from '@duckdb/duckdb-wasm';
import { DataType, Message, Table, tableFromIPC, type Schema } from 'apache-arrow';
import { positional, renamed, tableFromResultIPC, type IpcMessages } from '../../common/arrow.ts';
import type { ChunkBatch, FetchChunks, PendingStart } from './chunk-port.ts';
import { toQueryError } from './errors.ts';
import { countSql, limitSql, tableHead } from './head.ts';
import type { HeadOptions, HeadResult } from './types.ts';

/** The calls of DuckDB-WASM's bindings that a connection makes (`DuckCalls`). */
export const DUCK_CALLS = [
  'runQuery',
  'startPendingQuery',
  'pollPendingQuery',
  'cancelPendingQuery',
  'fetchQueryResults',
  'createPrepared',
  'runPrepared',
  'closePrepared',
  'insertArrowFromIPCStream',
  'insertJSONFromPath',
  'disconnect',
] as const;

/**
 * Those calls as promises: AsyncDuckDB (DuckDB in its own worker) has them as they are; blocking.ts wraps the
 * synchronous bindings in them. `fetchChunks`, where DuckDB's worker has the chunk port (chunk-port.ts), fetches
 * several chunks per round trip.
 */
export type DuckCalls = Pick<duckdb.AsyncDuckDB, (typeof DUCK_CALLS)[number]> & { fetchChunks?: FetchChunks };

/** AsyncDuckDB's calls bound to it, with the chunk port's fetch beside them. */
export function withChunkPort(db: duckdb.AsyncDuckDB, fetchChunks: FetchChunks): DuckCalls {
  const calls: Record<string, unknown> = { fetchChunks };
  for (const name of DUCK_CALLS) calls[name] = (db[name] as (...args: never[]) => unknown).bind(db);
  return calls as DuckCalls;
}

/** Rows in one of DuckDB's chunks (its vector size), the most a chunk holds. */
const CHUNK_ROWS = 2048;
/** Chunks per round trip when a result is read to its end only to be counted or kept whole. */
const CHUNKS_PER_TRIP = 16;

export const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
/** Chunk requests in flight: each is a round trip to DuckDB's worker (with the blocking bindings, one chunk ahead). */
const FETCH_WINDOW = 2;

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** `MessageHeader.RecordBatch` in Arrow's Message.fbs. */
const RECORD_BATCH = 3;

/**
 * `RecordBatch.length` of one IPC message (continuation marker, metadata length, flatbuffer), read from the
 * flatbuffer's two fields on the way (message → header → length): decoding the whole Message, every node and
 * buffer of every column, cost ~10× more per chunk. Null when the message is not a record batch.
 */
export function recordBatchLength(message: Uint8Array): number | null {
  if (message.byteLength < 12) return null;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  if (view.getUint32(0, true) !== 0xffffffff) return null;
  /** Where field `slot` of the flatbuffer table at `table` is, or 0 when absent (its vtable is behind it). */
  const field = (table: number, slot: number): number => {
    const vtable = table - view.getInt32(table, true);
    const entry = 4 + 2 * slot;
    return entry < view.getUint16(vtable, true) ? view.getUint16(vtable + entry, true) : 0;
  };
  const root = 8 + view.getUint32(8, true);
  const type = field(root, 1);
  const header = field(root, 2);
  if (!type || !header || view.getUint8(root + type) !== RECORD_BATCH) return null;
  const batch = root + header + view.getUint32(root + header, true);
  const length = field(batch, 0);
  return length ? Number(view.getBigInt64(batch + length, true)) : 0;
}

/** The rows in one IPC message of the stream that `header` starts, without copying or decoding the chunk. */
function batchRows(header: Uint8Array, chunk: Uint8Array): number {
  return recordBatchLength(chunk) ?? tableFromIPC(concat([header, chunk, END_OF_STREAM])).numRows;
}

/**
 * The schema a result's first message carries, kept by position (duplicate names included), decoded from the
 * message alone: reading it as a whole (empty) stream cost ~20× more.
 */
export function headerSchema(header: Uint8Array): Schema {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.byteLength >= 8 && view.getUint32(0, true) === 0xffffffff) {
    const message = Message.decode(header.subarray(8, 8 + view.getInt32(4, true)));
    if (message.isSchema()) return positional(message.header());
  }
  return positional(tableFromIPC(concat([header, END_OF_STREAM])).schema);
}

/**
 * A head whose table is decoded from `ipc` only when it is read: the UI's path transfers the bytes as they are
 * and needs only the schema, which the header already gave.
 */
function lazyHead(ipc: IpcMessages, schema: Schema, rows: number, totalRows: number): HeadResult {
  let table: Table | undefined;
  return {
    schema,
    rows,
    ipc,
    totalRows,
    get table() {
      return (table ??= tableFromResultIPC(ipc));
    },
  };
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw toQueryError(new Error('interrupted'), signal);
}

/** One round trip on the chunk port; a failure after an abort is the abort (the cancel ended the result). */
async function fetchBatch(
  fetchChunks: FetchChunks,
  conn: number,
  max: number,
  signal: AbortSignal | undefined,
  pending?: PendingStart,
): Promise<ChunkBatch> {
  try {
    return await fetchChunks(conn, max, signal, pending);
  } catch (error) {
    checkAborted(signal);
    throw error;
  }
}

/**
 * Fetches the current pending query's chunks to its end, each to `take`. Requests are pipelined (each is a
 * round trip to DuckDB's worker); requests past the end return empty chunks, and the worker answers in order.
 */
async function fetchRest(
  db: DuckCalls,
  conn: number,
  take: (chunk: Uint8Array) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (db.fetchChunks) {
    for (;;) {
      checkAborted(signal);
      const batch = await fetchBatch(db.fetchChunks, conn, CHUNKS_PER_TRIP, signal);
      for (const chunk of batch.chunks) take(chunk);
      if (batch.ended) return;
    }
  }
  const inFlight: Promise<Uint8Array | null>[] = [];
  const fill = () => {
    while (inFlight.length < FETCH_WINDOW) inFlight.push(db.fetchQueryResults(conn));
  };
  fill();
  try {
    for (;;) {
      checkAborted(signal);
      const chunk = await inFlight.shift()!;
      if (chunk != null && chunk.byteLength === 0) return;
      if (chunk != null) take(chunk);
      fill();
    }
  } finally {
    await Promise.allSettled(inFlight);
  }
}

/**
 * Starts a pending query and polls it until its result begins. An abort that came while the start waited for its
 * turn (behind a call in line, or a yield of the blocking bindings) cancelled nothing, since no query was pending
 * yet: the query is cancelled as soon as it exists, instead of running on past its deadline.
 */
export async function start(
  db: DuckCalls,
  conn: number,
  sql: string,
  stream: boolean,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  let header = await db.startPendingQuery(conn, sql, stream);
  if (signal?.aborted) {
    await db.cancelPendingQuery(conn).catch(() => false);
    checkAborted(signal);
  }
  while (header == null) header = await db.pollPendingQuery(conn);
  return header;
}

/**
 * Starts a pending query and, through the chunk port, fetches up to `max` of its chunks in the same round trip
 * (a start, its polls and a fetch were three or more); without the port, only starts it.
 */
async function begin(
  db: DuckCalls,
  conn: number,
  pending: PendingStart,
  max: number,
  signal?: AbortSignal,
): Promise<ChunkBatch & { header: Uint8Array }> {
  if (!db.fetchChunks) {
    return { header: await start(db, conn, pending.sql, pending.stream, signal), chunks: [], ended: false };
  }
  checkAborted(signal);
  const batch = await fetchBatch(db.fetchChunks, conn, max, signal, pending);
  return { ...batch, header: batch.header! };
}

/**
 * The whole result of a materialised pending query (a cancel stops it): its header, then its chunks, without the
 * stream's end marker.
 */
export async function wholePending(
  db: DuckCalls,
  conn: number,
  sql: string,
  signal?: AbortSignal,
): Promise<{ header: Uint8Array; chunks: Uint8Array[] }> {
  const {
    header,
    chunks: first,
    ended,
  } = await begin(db, conn, { sql, stream: false }, CHUNKS_PER_TRIP, signal);
  const chunks = [header, ...first];
  if (!ended) await fetchRest(db, conn, (chunk) => chunks.push(chunk), signal);
  return { header, chunks };
}

/** The one value of a one-row, one-column result, run as a pending query so that a cancel stops it. */
async function scalar(db: DuckCalls, conn: number, sql: string, signal?: AbortSignal): Promise<number> {
  const { chunks } = await wholePending(db, conn, sql, signal);
  return Number(
    tableFromIPC(concat([...chunks, END_OF_STREAM]))
      .getChildAt(0)!
      .get(0),
  );
}

/** What a head read saw: rows kept, rows fetched past them (only counted), and whether the result ended. */
interface HeadRead {
  rows: number;
  extra: number;
  ended: boolean;
}

/** One head read: the pending query's connection and header, where kept chunks go, and how many rows to keep. */
interface HeadFetch {
  conn: number;
  header: Uint8Array;
  chunks: Uint8Array[];
  maxRows: number;
  signal: AbortSignal | undefined;
}

/** Chunks to ask for when `rows` of the head are in hand: enough for the head and one more (usually the end). */
const headChunks = (maxRows: number, rows: number) => Math.ceil((maxRows + 1 - rows) / CHUNK_ROWS) + 1;

/**
 * Fetches the head through the chunk port, after the `first` batch that came with the start: one round trip for
 * most reads.
 */
async function headBatched(
  fetchChunks: FetchChunks,
  { conn, header, chunks, maxRows, signal }: HeadFetch,
  first: ChunkBatch,
): Promise<HeadRead> {
  const read: HeadRead = { rows: 0, extra: 0, ended: false };
  let next: ChunkBatch | null = first;
  while (read.rows <= maxRows && !read.ended) {
    checkAborted(signal);
    const batch = next ?? (await fetchBatch(fetchChunks, conn, headChunks(maxRows, read.rows), signal));
    next = null;
    for (const chunk of batch.chunks) {
      if (read.rows > maxRows) read.extra += batchRows(header, chunk);
      else {
        chunks.push(chunk);
        read.rows += batchRows(header, chunk);
      }
    }
    read.ended = batch.ended;
  }
  checkAborted(signal);
  return read;
}

/** Fetches the head one chunk per call, FETCH_WINDOW calls in flight. */
async function headPipelined(
  db: DuckCalls,
  { conn, header, chunks, maxRows, signal }: HeadFetch,
): Promise<HeadRead> {
  const read: HeadRead = { rows: 0, extra: 0, ended: false };
  const inFlight: Promise<Uint8Array | null>[] = [];
  const fill = () => {
    while (inFlight.length < FETCH_WINDOW) inFlight.push(db.fetchQueryResults(conn));
  };
  fill();
  try {
    while (read.rows <= maxRows) {
      const chunk = await inFlight.shift()!;
      if (chunk != null && chunk.byteLength === 0) {
        read.ended = true;
        break;
      }
      if (chunk != null) {
        chunks.push(chunk);
        read.rows += batchRows(header, chunk);
      }
      checkAborted(signal);
      fill();
    }
  } finally {
    // Requests already sent are answered in order; past the head they only add to the count.
    for (const settled of await Promise.allSettled(inFlight)) {
      if (read.ended || settled.status !== 'fulfilled' || settled.value == null) continue;
      if (settled.value.byteLength === 0) read.ended = true;
      else read.extra += batchRows(header, settled.value);
    }
  }
  return read;
}

/**
 * A streamed pending query (DuckDB produces rows as they are fetched) is fetched until it holds more than
 * `maxRows` rows or ends. The total of a longer result is then `SELECT count(*)` over the statement when the
 * caller vouches it can be a subquery (the new query discards the stream), else the rest is fetched and only
 * counted. Streamed results carry no dictionary batches, so an ENUM head is read once more in one piece.
 */
export async function headOf(
  db: DuckCalls,
  conn: number,
  sql: string,
  options: HeadOptions,
  /** The one-statement check, run on the wrapped statements too (the wrapping must not open a way out). */
  assertOne: (sql: string) => Promise<void>,
): Promise<HeadResult> {
  const { maxRows, wrappable = false, signal } = options;
  const first = await begin(db, conn, { sql, stream: true }, headChunks(maxRows, 0), signal);
  const { header } = first;
  const chunks = [header];
  const fetch: HeadFetch = { conn, header, chunks, maxRows, signal };
  const read = db.fetchChunks
    ? await headBatched(db.fetchChunks, fetch, first)
    : await headPipelined(db, fetch);
  const { rows, extra, ended } = read;
  let totalRows = rows + extra;
  if (!ended) {
    if (wrappable) {
      const count = countSql(sql);
      if (options.single) await assertOne(count);
      totalRows = await scalar(db, conn, count, signal);
    } else {
      await fetchRest(db, conn, (chunk) => (totalRows += batchRows(header, chunk)), signal);
    }
  }
  const schema = headerSchema(header);
  if (schema.fields.some((f) => DataType.isDictionary(f.type))) {
    const text = totalRows > maxRows && wrappable ? limitSql(sql, maxRows) : sql;
    if (options.single) await assertOne(text);
    const bytes = await db.runQuery(conn, text);
    if (text === sql) return tableHead(tableFromResultIPC(bytes), totalRows, [bytes]);
    // The wrapping renames duplicate names (`a, a` → `a, a_1`); the streamed header has the statement's own.
    const names = schema.fields.map((f) => f.name);
    return tableHead(renamed(tableFromResultIPC(bytes), names), totalRows);
  }
  return lazyHead(chunks, schema, rows, totalRows);
}
