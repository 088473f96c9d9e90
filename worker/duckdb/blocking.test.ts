// The blocking-bindings driver in Node: DuckDB on the test's own thread, cancel between polls, the async driver's shapes.
import { Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yieldToEventLoop } from '../../common/event-loop.ts';
import { tableToRows } from '../values.ts';
import { openBlockingDuckDB } from './blocking-node.ts';
import type { DuckConnection, DuckDatabase } from './types.ts';

/** Runs for hours unless interrupted: one aggregate, so DuckDB works inside pollPendingQuery the whole time. */
const LONG = 'SELECT count(*) AS n FROM range(100000000000) a';

let database: DuckDatabase;
let conn: DuckConnection;

beforeAll(async () => {
  database = await openBlockingDuckDB({ path: ':memory:' });
  conn = await database.connect();
});
afterAll(async () => {
  await database?.close();
});

/** Settles `run` into a value the test can poll: the result, or the error it rejected with. */
function outcomeOf<T>(run: Promise<T>): { value: T | unknown; settled: boolean } {
  const outcome: { value: T | unknown; settled: boolean } = { value: undefined, settled: false };
  void run.then(
    (value) => Object.assign(outcome, { value, settled: true }),
    (error: unknown) => Object.assign(outcome, { value: error, settled: true }),
  );
  return outcome;
}

describe('the blocking driver in Node', () => {
  it('is in memory only, and says so for a file', async () => {
    await expect(openBlockingDuckDB({ path: '/tmp/x.duckdb' })).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'invalid_argument',
      message: expect.stringMatching(/"\/tmp\/x\.duckdb".*in memory only/),
    });
    expect(database).toMatchObject({ path: ':memory:', persistent: false, version: 'v1.4.3' });
  });

  it('is locked down like the async driver', async () => {
    const settings = await conn.query(
      `SELECT current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked`,
    );
    expect(tableToRows(settings)).toEqual([{ external: false, locked: true }]);
    await expect(conn.query("SELECT content FROM read_text('/etc/hostname')")).rejects.toMatchObject({
      code: 'refused',
    });
  });

  it('stops a long query on its abort (the cancel lands, no hang), and the connection goes on', async () => {
    const controller = new AbortController();
    const run = outcomeOf(conn.query(LONG, { signal: controller.signal }));
    // This turn of the event loop comes once the query has started (or, behind a yield, is about to).
    await yieldToEventLoop();
    expect(run.settled).toBe(false);
    controller.abort(new Error('cancelled by the test'));
    // The cancel's own message: a statement that did not stop would fail after HUNG_GRACE_MS with another one
    // (and the database given up). How fast a cancel lands is the bench's to measure (P1), not this test's.
    await expect
      .poll(() => run.value, { timeout: 10_000 })
      .toMatchObject({
        name: 'QueryError',
        code: 'interrupted',
        message: 'Query interrupted: cancelled by the test',
      });
    expect(tableToRows(await conn.query('SELECT 42 AS x'))).toEqual([{ x: 42 }]);
  });

  it('lets a timeout fire while DuckDB works (AbortSignal.timeout), in a bounded read too', async () => {
    const signal = AbortSignal.timeout(50);
    let abortedAt = false;
    signal.addEventListener('abort', () => (abortedAt = true));
    const run = outcomeOf(conn.queryHead(LONG, { maxRows: 10, signal }));
    await expect.poll(() => abortedAt).toBe(true);
    await expect
      .poll(() => run.value, { timeout: 10_000 })
      .toMatchObject({
        code: 'interrupted',
        message: expect.stringMatching(/^Query interrupted: /) as unknown,
      });
  });

  it('reads a bounded head and the exact total, as the async driver does', async () => {
    const sql = 'SELECT i, i::VARCHAR AS s FROM range(100000) t(i)';
    for (const wrappable of [true, false]) {
      const head = await conn.queryHead(sql, {
        maxRows: 100,
        wrappable,
        signal: new AbortController().signal,
      });
      expect(head.totalRows).toBe(100000);
      expect(head.table.numRows).toBeGreaterThanOrEqual(100);
      expect(head.ipc).not.toBeNull();
      expect(tableToRows(head.table).slice(0, 2)).toEqual([
        { i: 0, s: '0' },
        { i: 1, s: '1' },
      ]);
    }
    const small = await conn.queryHead("SELECT 'x'::ENUM('x', 'y') AS e", { maxRows: 10, single: true });
    expect({ rows: tableToRows(small.table), total: small.totalRows }).toEqual({
      rows: [{ e: 'x' }],
      total: 1,
    });
  });

  it('refuses several statements where one was asked for, and runs nothing', async () => {
    await expect(
      conn.query('CREATE TABLE never (a INT); SELECT 1', {
        single: true,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'refused' });
    await expect(conn.query('SELECT * FROM never')).rejects.toMatchObject({
      code: 'bad_sql',
      message: expect.stringMatching(/never/),
    });
  });

  it('binds parameters, inserts Arrow, and loads a registered JSON file', async () => {
    const params = await conn.queryParams('SELECT ? + 1 AS n, ? AS s, ? AS big', [41, 'x', 2n ** 70n]);
    expect(tableToRows(params)).toEqual([{ n: 42, s: 'x', big: '1180591620717411303424' }]);

    const arrow = new Table({
      id: vectorFromArray([1n, 2n], new Int64()),
      name: vectorFromArray(['a', null], new Utf8()),
    });
    await conn.insertArrow(arrow, { schema: 'main', name: 'loaded', create: true });
    await conn.insertArrow(arrow.slice(0, 1), { schema: 'main', name: 'loaded', create: false });
    expect(tableToRows(await conn.query('SELECT * FROM loaded ORDER BY id, name'))).toEqual([
      { id: 1, name: 'a' },
      { id: 1, name: 'a' },
      { id: 2, name: null },
    ]);

    const json = new TextEncoder().encode(
      JSON.stringify([
        { id: 1, tags: ['a'] },
        { id: 2, tags: [] },
      ]),
    );
    const path = await database.registerFile('pages.json', json);
    expect(path).toBe('/dinobase/files/pages.json');
    await conn.insertJSONFromPath(path, { schema: 'main', name: 'pages', create: true });
    expect(tableToRows(await conn.query('SELECT id, tags FROM pages ORDER BY id'))).toEqual([
      { id: 1, tags: ['a'] },
      { id: 2, tags: [] },
    ]);
    await database.dropFile('pages.json');
    await expect(
      conn.insertJSONFromPath(path, { schema: 'main', name: 'pages_again', create: true }),
    ).rejects.toMatchObject({ name: 'QueryError' });
  });

  it('reads a Blob given to registerFileHandle, and forgets it on dropFile', async () => {
    const path = await database.registerFileHandle('given.csv', new Blob(['id,name\n1,Acme\n']));
    expect(tableToRows(await conn.query(`SELECT name FROM read_csv('${path}')`))).toEqual([{ name: 'Acme' }]);
    await database.dropFile('given.csv');
    await expect(conn.query(`SELECT name FROM read_csv('${path}')`)).rejects.toMatchObject({
      name: 'QueryError',
    });
    await expect(database.registerFile('../escape', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('keeps two connections apart while their streamed reads interleave on one thread', async () => {
    const other = await database.connect();
    try {
      const sums = await Promise.all(
        [conn, other].map(async (c, k) => {
          let sum = 0n;
          await c.queryBatches(`SELECT i + ${k} AS i FROM range(50000) t(i)`, {
            signal: new AbortController().signal,
            onBatch: (batch) => {
              for (const v of batch.getChild('i') ?? []) sum += v as bigint;
            },
          });
          return sum;
        }),
      );
      expect(sums).toEqual([1249975000n, 1250025000n]);
    } finally {
      await other.close();
    }
  });

  it('refuses every call once closed, naming the database', async () => {
    const closing = await openBlockingDuckDB({ path: ':memory:' });
    const c = await closing.connect();
    await closing.close();
    const closed = {
      name: 'QueryError',
      code: 'not_ready',
      message: expect.stringMatching(/":memory:" is closed/),
    };
    await expect(c.query('SELECT 1')).rejects.toMatchObject(closed);
    await expect(closing.connect()).rejects.toMatchObject(closed);
  });
});
