// The chunk port in a real DuckDB-WASM worker (Node): several chunks per call, the end, errors, cancels, other calls.
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FETCH_STOPPED, type FetchChunks } from './chunk-port.ts';
import { END_OF_STREAM, concat, headOf, withChunkPort, type DuckCalls } from './driver-head.ts';
import type { duckdb } from './driver.ts';
import { instantiateInWorker } from './wasm-node.ts';

let db: duckdb.AsyncDuckDB;
let fetchChunks: FetchChunks;

beforeAll(async () => {
  ({ db, fetchChunks } = await instantiateInWorker());
  await db.open({ path: ':memory:' });
});

afterAll(async () => {
  await db.terminate();
});

/** A streamed pending query on a new connection; its header (the schema message). */
async function started(sql: string): Promise<{ conn: number; header: Uint8Array }> {
  const conn = await db.connectInternal();
  let header = await db.startPendingQuery(conn, sql, true);
  while (header == null) header = await db.pollPendingQuery(conn);
  return { conn, header };
}

/** The first value of `sql`'s result, started and fetched in one request on the port. */
async function valueOf(conn: number, sql: string, stream = true): Promise<number> {
  const batch = await fetchChunks(conn, 100, undefined, { sql, stream });
  return Number(
    tableFromIPC(concat([batch.header!, ...batch.chunks, END_OF_STREAM]))
      .getChildAt(0)!
      .get(0),
  );
}

const rowsOf = (header: Uint8Array, chunks: Uint8Array[]) =>
  tableFromIPC(concat([header, ...chunks, END_OF_STREAM])).numRows;

describe('the chunk port', () => {
  it('returns every chunk of a result in one call and says it ended', async () => {
    const { conn, header } = await started('SELECT i, i::VARCHAR AS s FROM range(10000) t(i)');
    const batch = await fetchChunks(conn, 100);
    expect(batch.ended).toBe(true);
    expect(batch.chunks.length).toBeGreaterThanOrEqual(5);
    expect(rowsOf(header, batch.chunks)).toBe(10000);
    const ids = tableFromIPC(concat([header, ...batch.chunks, END_OF_STREAM]))
      .getChild('i')!
      .toArray();
    expect(Number(ids[0])).toBe(0);
    expect(Number(ids[9999])).toBe(9999);
    await db.disconnect(conn);
  });

  it('stops at `max` chunks and goes on from there on the next call', async () => {
    const { conn, header } = await started('SELECT i FROM range(10000) t(i)');
    const first = await fetchChunks(conn, 2);
    expect(first.chunks).toHaveLength(2);
    expect(first.ended).toBe(false);
    const rest = await fetchChunks(conn, 100);
    expect(rest.ended).toBe(true);
    expect(rowsOf(header, [...first.chunks, ...rest.chunks])).toBe(10000);
    await db.disconnect(conn);
  });

  it("rejects with DuckDB's own message when a chunk fails, and the worker goes on", async () => {
    const { conn } = await started(
      "SELECT CASE WHEN i < 500000 THEN i ELSE error('boom at ' || i) END AS n FROM range(1000000) t(i)",
    );
    await expect(fetchChunks(conn, 1000)).rejects.toThrow(/boom at 5/);
    const table = tableFromIPC(await db.runQuery(conn, 'SELECT 42 AS n'));
    expect(Number(table.getChild('n')!.get(0))).toBe(42);
    await db.disconnect(conn);
  });

  it('stops an endless fetch between two chunks when its signal aborts', async () => {
    const { conn } = await started('SELECT i FROM range(100000000000) t(i)');
    const abort = new AbortController();
    const endless = fetchChunks(conn, Number.MAX_SAFE_INTEGER, abort.signal);
    abort.abort();
    await expect(endless).rejects.toThrow(FETCH_STOPPED);
    const table = tableFromIPC(await db.runQuery(conn, 'SELECT 1 AS n'));
    expect(Number(table.getChild('n')!.get(0))).toBe(1);
    await db.disconnect(conn);
  });

  it("leaves duckdb-wasm's own messages alone while a fetch is under way", async () => {
    const { conn, header } = await started('SELECT i FROM range(200000) t(i)');
    const other = await db.connectInternal();
    const [batch, answer] = await Promise.all([fetchChunks(conn, 1000), db.runQuery(other, 'SELECT 7 AS n')]);
    expect(Number(tableFromIPC(answer).getChild('n')!.get(0))).toBe(7);
    expect(batch.ended).toBe(true);
    expect(rowsOf(header, batch.chunks)).toBe(200000);
    await db.disconnect(conn);
    await db.disconnect(other);
  });

  it('starts a query and fetches its chunks in the same call', async () => {
    const conn = await db.connectInternal();
    const batch = await fetchChunks(conn, 100, undefined, {
      sql: 'SELECT i FROM range(10000) t(i)',
      stream: true,
    });
    expect(batch.ended).toBe(true);
    expect(rowsOf(batch.header!, batch.chunks)).toBe(10000);
    // A materialised result, whose start DuckDB may answer only after polls.
    expect(await valueOf(conn, 'SELECT sum(i) AS s FROM range(3000000) t(i)', false)).toBe(4499998500000);
    await db.disconnect(conn);
  });

  it("rejects a start with DuckDB's own message, and the connection goes on", async () => {
    const conn = await db.connectInternal();
    await expect(
      fetchChunks(conn, 10, undefined, { sql: 'SELECT nope FROM range(3)', stream: true }),
    ).rejects.toThrow(/nope/);
    expect(await valueOf(conn, 'SELECT 5 AS n')).toBe(5);
    await db.disconnect(conn);
  });

  it('lets a cancel in between the polls of a long start, and its signal stops it there', async () => {
    const conn = await db.connectInternal();
    const long = { sql: 'SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3', stream: false };
    const cancelled = fetchChunks(conn, 10, undefined, long);
    await expect.poll(() => db.cancelPendingQuery(conn)).toBe(true);
    await expect(cancelled).rejects.toThrow();
    const abort = new AbortController();
    const stopped = fetchChunks(conn, 10, abort.signal, long);
    abort.abort();
    await expect(stopped).rejects.toThrow(FETCH_STOPPED);
    expect(await valueOf(conn, 'SELECT 6 AS n')).toBe(6);
    await db.disconnect(conn);
  });

  it("reads a bounded head in one round trip to DuckDB's worker, and a longer result's count in one more", async () => {
    const calls: string[] = [];
    const port = withChunkPort(db, fetchChunks);
    const counted = Object.fromEntries(
      Object.entries(port).map(([name, call]) => [
        name,
        (...args: unknown[]) => {
          calls.push(name);
          return (call as (...a: unknown[]) => unknown)(...args);
        },
      ]),
    ) as unknown as DuckCalls;
    const conn = await db.connectInternal();
    const one = () => Promise.resolve();
    const whole = await headOf(
      counted,
      conn,
      'SELECT i, i * 2 AS j FROM range(10000) t(i)',
      { maxRows: 10000 },
      one,
    );
    expect([whole.totalRows, whole.rows, calls]).toEqual([10000, 10000, ['fetchChunks']]);
    calls.length = 0;
    const head = await headOf(
      counted,
      conn,
      'SELECT i FROM range(10000000) t(i)',
      { maxRows: 200, wrappable: true },
      one,
    );
    expect([head.totalRows, head.rows >= 200, calls]).toEqual([
      10000000,
      true,
      ['fetchChunks', 'fetchChunks'],
    ]);
    await db.disconnect(conn);
  });

  it('keeps the calls in the order they were made: one sent during a long fetch runs after it, a cancel goes in at once', async () => {
    // The order DuckDB's worker answers in, seen from inside it: the fetch's answer leaves on the chunk port, the
    // others on the worker's own channel, and the engine's thread may receive messages of two channels in either
    // order. Its answers leave in the order it ran the calls; one BroadcastChannel keeps that order.
    const name = `dinobase-chunk-port-order-${process.pid}`;
    const prelude = `{
      const order = new BroadcastChannel(${JSON.stringify(name)});
      const post = self.postMessage.bind(self);
      self.postMessage = (data, transfer) => {
        if (data?.type === 'QUERY_RESULT') order.postMessage('query');
        if (data?.type === 'SUCCESS' && typeof data.data === 'boolean') order.postMessage('cancel');
        return post(data, transfer);
      };
      const answer = MessagePort.prototype.postMessage;
      MessagePort.prototype.postMessage = function (data, transfer) {
        if (Array.isArray(data?.chunks)) order.postMessage('fetch');
        return answer.call(this, data, transfer);
      };
    }`;
    const watched = await instantiateInWorker({ prelude });
    const order: string[] = [];
    const listener = new BroadcastChannel(name);
    listener.onmessage = (event: MessageEvent<string>) => order.push(event.data);
    try {
      await watched.db.open({ path: ':memory:' });
      // Long enough that the fetch lets the worker's messages in (it does every 20 ms) many times over.
      const conn = await watched.db.connectInternal();
      let header = await watched.db.startPendingQuery(conn, 'SELECT i FROM range(5000000) t(i)', true);
      while (header == null) header = await watched.db.pollPendingQuery(conn);
      const other = await watched.db.connectInternal();
      const fetch = watched.fetchChunks(conn, Number.MAX_SAFE_INTEGER);
      // A call made after the fetch (a sync's insert behind a read): DuckDB must not work on it while the fetch is
      // still being served, or the engine, which takes the oldest call in flight to be the one DuckDB works on,
      // would time the fetch by the other call's work (and judge a cancelled read hung).
      const query = watched.db.runQuery(other, 'SELECT 7 AS n');
      // A cancel is not a call in line: it reaches DuckDB during the fetch (here it has nothing to cancel).
      const cancel = watched.db.cancelPendingQuery(other);
      const [batch] = await Promise.all([fetch, query, cancel]);
      expect(batch.ended).toBe(true);
      await expect.poll(() => order).toEqual(['cancel', 'fetch', 'query']);
    } finally {
      listener.close();
      await watched.db.terminate();
    }
  });
});
