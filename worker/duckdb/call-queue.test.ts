// A cancelled statement waiting behind another connection's long write leaves DuckDB-WASM running; a stop fails every call in flight.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryError } from '../errors.ts';
import { CallQueue } from './call-queue.ts';
import type { DuckCalls } from './driver-head.ts';
import { HUNG_GRACE_MS, runUnderSignal } from './errors.ts';
import type { DuckDatabase } from './types.ts';
import { openWasmDuckDB } from './wasm-node.ts';

/** Calls whose answers the test gives by hand (`answer(n)` settles the n-th call made). */
function manualCalls(): { calls: DuckCalls; answer(n: number): void } {
  const pending: (() => void)[] = [];
  const call = () => new Promise<null>((resolve) => pending.push(() => resolve(null)));
  const calls = { runQuery: call, startPendingQuery: call, disconnect: call } as unknown as DuckCalls;
  return { calls, answer: (n) => pending[n]!() };
}

describe('CallQueue', () => {
  it('knows whose call DuckDB works on: the oldest in flight, from when it became the oldest', async () => {
    let now = 0;
    const queue = new CallQueue(() => now);
    const { calls, answer } = manualCalls();
    const tracked = queue.track(calls);
    const first = tracked.runQuery(1, 'CREATE TABLE big AS …');
    now = 100;
    const second = tracked.startPendingQuery(2, 'SELECT 42');
    now = 5000;
    expect(queue.runningFor(1)).toBe(5000);
    expect(queue.runningFor(2)).toBeNull();
    answer(0);
    await first;
    now = 5300;
    expect(queue.runningFor(2)).toBe(300);
    answer(1);
    await second;
    expect(queue.runningFor(2)).toBeNull();
  });

  it('fails the calls in flight when the instance stops, and every call after', async () => {
    const queue = new CallQueue();
    const tracked = queue.track(manualCalls().calls);
    const waiting = tracked.runQuery(1, 'SELECT 1');
    queue.fail(new QueryError('internal', 'its worker was terminated'));
    await expect(waiting).rejects.toMatchObject({ code: 'internal', message: 'its worker was terminated' });
    await expect(tracked.disconnect(1)).rejects.toMatchObject({ code: 'internal' });
  });
});

describe('runUnderSignal after a cancel', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers the caller at the grace but stops DuckDB only once the statement itself ran that long', async () => {
    vi.useFakeTimers();
    let running: number | null = null;
    const onHung = vi.fn((notStopped: string) => notStopped);
    const controller = new AbortController();
    const run = runUnderSignal(controller.signal, () => new Promise<never>(() => {}), {
      engine: 'DuckDB-WASM',
      cancel: () => {},
      onHung,
      runningFor: () => running,
    });
    const answered = expect(run).rejects.toMatchObject({
      code: 'interrupted',
      message: expect.stringContaining('busy with other work') as unknown as string,
    });
    controller.abort(new Error('cancelled'));
    await vi.advanceTimersByTimeAsync(HUNG_GRACE_MS);
    await answered;
    // The other work ended and DuckDB took up the statement, which then does not stop either.
    running = 0;
    await vi.advanceTimersByTimeAsync(1000);
    expect(onHung).not.toHaveBeenCalled();
    running = HUNG_GRACE_MS;
    await vi.advanceTimersByTimeAsync(HUNG_GRACE_MS);
    expect(onHung).toHaveBeenCalledTimes(1);
  });
});

/** A write that keeps DuckDB-WASM busy in one call for seconds (64M+ hash joins), with little memory. */
const LONG_WRITE = `CREATE TABLE big AS SELECT a.i % 10 AS k, sum(hash(a.i * b.j)) AS s
  FROM range(12000) a(i), range(12000) b(j) GROUP BY ALL`;

describe('DuckDB-WASM (async, in its own worker) with a cancelled statement', () => {
  let db: DuckDatabase | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  it('waiting behind a long write on another connection: the caller is answered, the write goes on', async () => {
    db = await openWasmDuckDB({ path: ':memory:' });
    const [writer, reader] = await Promise.all([db.connect(), db.connect()]);
    const write = writer.query(LONG_WRITE);
    const controller = new AbortController();
    const read = reader.query('SELECT 42 AS answer', { signal: controller.signal });
    // Cancelled once it is sent (one turn of the event loop: the connection's queue is microtasks), not before.
    await new Promise((sent) => setTimeout(sent, 0));
    controller.abort(new Error('cancelled'));
    // Answered while it waited behind the write (the queue said so): DuckDB was not stopped for it.
    await expect(read).rejects.toMatchObject({
      code: 'interrupted',
      message: expect.stringContaining('busy with other work') as unknown as string,
    });
    await write;
    expect(db.broken).toBeNull();
    expect((await reader.query('SELECT count(*)::INTEGER AS n FROM big')).getChild('n')?.get(0)).toBe(10);
  }, 60_000);

  it('hung in planning itself: DuckDB is stopped, and the call waiting behind it fails instead of hanging', async () => {
    db = await openWasmDuckDB({ path: ':memory:' });
    const [planner, other] = await Promise.all([db.connect(), db.connect()]);
    // Twelve nested WITH levels plan for ~9 s on DuckDB-WASM (see test/hostile-sql.test.ts); planning cannot be interrupted.
    let sql = 'SELECT 1 AS x';
    for (let i = 0; i < 12; i++) sql = `WITH t${i} AS (${sql}) SELECT * FROM t${i}`;
    const planning = planner.query(sql, { signal: AbortSignal.timeout(100) });
    const behind = other.query('SELECT 1 AS x');
    await expect(planning).rejects.toMatchObject({ code: 'interrupted' });
    await expect(behind).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('terminated') as unknown as string,
    });
    expect(db.broken).toContain('terminated');
  }, 60_000);

  it('hung in planning itself: a new connection or a file asked for behind it fails instead of hanging', async () => {
    db = await openWasmDuckDB({ path: ':memory:' });
    const planner = await db.connect();
    let sql = 'SELECT 1 AS x';
    for (let i = 0; i < 12; i++) sql = `WITH t${i} AS (${sql}) SELECT * FROM t${i}`;
    const planning = planner.query(sql, { signal: AbortSignal.timeout(100) });
    // Asked once the statement is sent (the connection's queue is microtasks), so that they wait behind it.
    await new Promise((sent) => setTimeout(sent, 0));
    // A load opens its connection and registers its files while DuckDB plans: their answers never come once the
    // worker is terminated, so the load would stay busy forever with no error.
    const connecting = db.connect();
    const registering = db.registerFile('late.csv', new TextEncoder().encode('a\n1\n'));
    await expect(planning).rejects.toMatchObject({ code: 'interrupted' });
    for (const late of [connecting, registering]) {
      await expect(late).rejects.toMatchObject({
        code: 'internal',
        message: expect.stringContaining('terminated') as unknown as string,
      });
    }
  }, 60_000);
});
