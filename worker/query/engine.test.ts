import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DinobaseDB } from '../db.ts';
import type { DuckConnection, HeadResult } from '../duckdb/index.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { isErrorResult, QueryEngine, type QueryResult } from './engine.ts';

const clock = new ManualClock(Date.UTC(2026, 2, 1, 12, 0));
let db: DinobaseDB;
let engine: QueryEngine;

beforeAll(async () => {
  db = memoryDB(clock);
  engine = new QueryEngine(db);
  await db.run('CREATE SCHEMA stripe');
  await db.run(
    "CREATE TABLE stripe.customers AS SELECT 'cus_' || i AS id, 'user' || i || '@acme.com' AS email, i * 100 AS amount FROM range(250) r(i)",
  );
  await db.run('CREATE SCHEMA hubspot');
  await db.run(
    "CREATE TABLE hubspot.contacts AS SELECT 'user' || i || '@acme.com' AS email FROM range(0, 500, 2) r(i)",
  );
  await db.run('CREATE SCHEMA empty');
  await db.updateTableMetadata('stripe', 'stripe', {
    customers: { amount: { description: 'Balance', note: 'in cents' } },
  });
});
afterAll(() => db.close());

/** Records every statement the query engine's connections hand to DuckDB. */
class SpyDB extends DinobaseDB {
  readonly sent: string[] = [];
  override async connect(options?: { migrated?: boolean }): Promise<DuckConnection> {
    const conn = await super.connect(options);
    return {
      query: (sql, options) => (this.sent.push(sql), conn.query(sql, options)),
      queryIPC: (sql, options) => (this.sent.push(sql), conn.queryIPC(sql, options)),
      queryHead: (sql, options) => (this.sent.push(sql), conn.queryHead(sql, options)),
      queryBatches: (sql, options) => (this.sent.push(sql), conn.queryBatches(sql, options)),
      queryParams: (sql, params) => (this.sent.push(sql), conn.queryParams(sql, params)),
      insertArrow: (table, target) => conn.insertArrow(table, target),
      insertJSONFromPath: (path, target) => conn.insertJSONFromPath(path, target),
      close: () => conn.close(),
    };
  }
}

async function ok(sql: string, options = {}): Promise<QueryResult> {
  const result = await engine.execute(sql, options);
  if (isErrorResult(result)) throw new Error(result.error);
  return result as QueryResult;
}

describe('QueryEngine.execute', () => {
  it('returns the seed result shape', async () => {
    const result = await ok('SELECT count(*) AS cnt FROM stripe.customers');
    expect(result).toMatchObject({
      columns: ['cnt'],
      rows: [{ cnt: 250 }],
      data_types: { cnt: 'BIGINT' },
      row_count: 1,
      total_rows: 1,
      _freshness: 'synced',
    });
    expect(result).not.toHaveProperty('truncated');
  });

  it('joins across schemas', async () => {
    const result = await ok(
      'SELECT count(*) AS n FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email',
    );
    expect(result.rows).toEqual([{ n: 125 }]);
  });

  it('truncates above maxRows and says how to paginate', async () => {
    const result = await ok('SELECT * FROM stripe.customers ORDER BY amount', { maxRows: 10 });
    expect(result.row_count).toBe(10);
    expect(result.rows).toHaveLength(10);
    expect(result.total_rows).toBe(250);
    expect(result.truncated).toBe(true);
    expect(result.message).toBe(
      'Showing 10 of 250 rows. Use LIMIT N OFFSET M to paginate (e.g., LIMIT 10 OFFSET 10 for page 2), or add a WHERE clause to narrow results.',
    );
    const defaults = await ok('SELECT * FROM stripe.customers');
    expect(defaults.row_count).toBe(200);
  });

  it('handles empty results with their column types', async () => {
    const result = await ok('SELECT id, amount FROM stripe.customers WHERE false');
    expect(result).toMatchObject({ columns: ['id', 'amount'], rows: [], row_count: 0, total_rows: 0 });
    expect(result.data_types).toEqual({ id: 'VARCHAR', amount: 'BIGINT' });
  });

  it('returns DuckDB errors instead of throwing', async () => {
    const result = await engine.execute('SELECT * FROM nonexistent_table');
    expect(isErrorResult(result) && result.error).toMatch(
      /Catalog Error: Table with name nonexistent_table does not exist/,
    );
    const syntax = await engine.execute('SELECT 1 +');
    expect(isErrorResult(syntax) && syntax.error).toMatch(/^Parser Error: syntax error at end of input/);
  });

  it.each([
    ['DROP TABLE stripe.customers', /DROP statements are not allowed/],
    [
      'SELECT 1; DROP TABLE stripe.customers',
      /^Statement 2 of 2 \(line 1, DROP\): DROP statements are not allowed/,
    ],
    ["ATTACH 'x.db'", /ATTACH statements are refused/],
    ['INSTALL json', /INSTALL statements are refused/],
    ['', /Empty SQL/],
  ])('refuses %s without touching the data', async (sql, message) => {
    const result = await engine.execute(sql);
    expect(isErrorResult(result) && result.error).toMatch(message);
    expect(await db.getRowCount('stripe', 'customers')).toBe(250);
  });

  it('runs a script of reads statement by statement and returns the last result', async () => {
    const result = await ok(
      "SELECT 1 AS a; SELECT 'x;y' AS b; -- c\nSELECT id FROM stripe.customers ORDER BY amount LIMIT 3",
    );
    expect(result.columns).toEqual(['id']);
    expect(result.rows).toEqual([{ id: 'cus_0' }, { id: 'cus_1' }, { id: 'cus_2' }]);
    expect(result.message).toBe('Ran 3 statements; this is the result of the last.');
    const arrow = await engine.executeArrow('SELECT 1 AS a; SELECT 2 AS b');
    if (isErrorResult(arrow) || !('ipc' in arrow)) throw new Error('expected arrow');
    const table = tableFromIPC(arrow.ipc);
    expect([arrow.columns, table.numRows, table.getChild('b')?.get(0)]).toEqual([['b'], 1, 2]);
  });

  it('sends DuckDB one statement at a time, and names the statement that failed', async () => {
    const spied = new SpyDB(':memory:', { clock });
    try {
      const result = await new QueryEngine(spied).execute(
        'SELECT 1; SELECT * FROM nonexistent_table; SELECT 3',
      );
      expect(isErrorResult(result) && result.error).toMatch(
        /^Statement 2 of 3 \(line 1\) failed: Catalog Error: Table with name nonexistent_table does not exist/,
      );
      expect(spied.sent).toEqual(['SELECT 1', 'SELECT * FROM nonexistent_table']);
    } finally {
      await spied.close();
    }
  });

  it('explains that writes go through mutation previews', async () => {
    const result = await engine.execute("UPDATE stripe.customers SET email = 'x' WHERE id = 'cus_1'");
    expect(isErrorResult(result) && result.error).toMatch(
      /Writes go through mutation previews.*UPDATE stripe\.customers/,
    );
    expect(await db.query("SELECT email FROM stripe.customers WHERE id = 'cus_1'")).toEqual([
      { email: 'user1@acme.com' },
    ]);
  });

  it('hands writes to the mutation engine when one is attached', async () => {
    const seen: string[] = [];
    const withMutations = new QueryEngine(db, {
      mutations: {
        handleSql: async (sql) => (seen.push(sql), { error: 'refused by the test handler' }),
        stage: () => Promise.reject(new Error('one write is not a script')),
        storeStaged: () => Promise.reject(new Error('one write is not a script')),
      },
    });
    const result = await withMutations.execute("DELETE FROM stripe.customers WHERE id = 'cus_1'");
    expect(result).toEqual({ error: 'refused by the test handler' });
    expect(seen).toEqual(["DELETE FROM stripe.customers WHERE id = 'cus_1'"]);
  });

  it('times out a long query with an "interrupted" error and stays usable', async () => {
    const result = await engine.execute('SELECT count(*) FROM range(10000000000) a', { timeoutMs: 200 });
    expect(isErrorResult(result) && result.error).toBe('Query interrupted: timed out after 200 ms');
    expect(isErrorResult(result) && result.code).toBe('interrupted');
    expect((await ok('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('cancels through an AbortSignal', async () => {
    const controller = new AbortController();
    const pending = engine.execute('SELECT count(*) FROM range(10000000000) a', {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 100);
    const result = await pending;
    expect(isErrorResult(result) && result.error).toBe('Query interrupted: cancelled by the user');
  });

  it('rejects a bad maxRows', async () => {
    const result = await engine.execute('SELECT 1', { maxRows: 0 });
    expect(isErrorResult(result) && result.error).toMatch(/maxRows must be a positive integer, got 0/);
  });

  it('serves the UI form as Arrow IPC with the same shape', async () => {
    const result = await engine.executeArrow('SELECT * FROM stripe.customers ORDER BY amount', {
      maxRows: 5,
    });
    if (isErrorResult(result) || !('ipc' in result)) throw new Error('expected arrow');
    const table = tableFromIPC(result.ipc);
    expect(table.numRows).toBe(5);
    expect(result.total_rows).toBe(250);
    expect(result.truncated).toBe(true);
    expect(table.getChild('id')?.get(0)).toBe('cus_0');
    const whole = await engine.executeArrow('SELECT * FROM stripe.customers', { maxRows: 1000 });
    expect(!isErrorResult(whole) && 'ipc' in whole && tableFromIPC(whole.ipc).numRows).toBe(250);
  });
});

/** Counts the reads of a head's decoded table, and whether the driver had the head's IPC bytes. */
class DecodeCountingDB extends DinobaseDB {
  decoded = 0;
  hadBytes = false;
  override async connect(options?: { migrated?: boolean }): Promise<DuckConnection> {
    const conn = await super.connect(options);
    const counted = (head: HeadResult): HeadResult => {
      this.hadBytes = head.ipc !== null;
      const decode = () => (this.decoded++, head.table);
      // The head itself underneath, only `table` counted on the way.
      return Object.create(head, { table: { get: decode } }) as HeadResult;
    };
    return { ...conn, queryHead: async (sql, options) => counted(await conn.queryHead(sql, options)) };
  }
}

describe('QueryEngine.executeArrow', () => {
  it("passes the driver's IPC messages on without decoding or joining them, and slices a truncated head", async () => {
    const counting = new DecodeCountingDB(':memory:', { clock });
    const queries = new QueryEngine(counting);
    try {
      const whole = await queries.executeArrow('SELECT i, i::VARCHAR AS s FROM range(5000) r(i)', {
        maxRows: 10_000,
      });
      if (!('ipc' in whole)) throw new Error(JSON.stringify(whole));
      expect([whole.row_count, whole.total_rows, whole.columns]).toEqual([5000, 5000, ['i', 's']]);
      expect(tableFromIPC(whole.ipc).getChild('s')?.get(4999)).toBe('4999');
      // DuckDB-WASM hands the bytes over: nothing decodes them in the worker. Native DuckDB built a table.
      expect(counting.decoded).toBe(counting.hadBytes ? 0 : 1);
      // ...as the messages they came in (the schema, then 2,048-row chunks), never joined into one buffer.
      expect(whole.ipc).toHaveLength(counting.hadBytes ? 4 : 1);
      const head = await queries.executeArrow('SELECT i FROM range(5000) r(i)', { maxRows: 3 });
      if (!('ipc' in head)) throw new Error(JSON.stringify(head));
      expect([head.truncated, head.total_rows, tableFromIPC(head.ipc).numRows]).toEqual([true, 5000, 3]);
    } finally {
      await counting.close();
    }
  });
});

describe('SHOW and DESCRIBE', () => {
  it('SHOW TABLES lists every source table with its rows and columns, not Dinobase internals', async () => {
    await db.run('CREATE SCHEMA IF NOT EXISTS _dinobase_staging');
    await db.run('CREATE TABLE IF NOT EXISTS _dinobase_staging.leftover AS SELECT 1 AS x');
    await db.run('CREATE TABLE IF NOT EXISTS stripe._dlt_loads AS SELECT 1 AS x');
    const result = await ok('SHOW TABLES');
    expect(result.columns).toEqual(['schema', 'name', 'rows', 'columns']);
    expect(result.rows).toEqual([
      { schema: 'hubspot', name: 'contacts', rows: 250, columns: 1 },
      { schema: 'stripe', name: 'customers', rows: 250, columns: 3 },
    ]);
    expect((await ok('show tables;')).rows).toEqual(result.rows);
  });

  it('SHOW ALL TABLES adds the column names and types', async () => {
    const result = await ok('SHOW ALL TABLES');
    expect(result.columns).toEqual(['schema', 'name', 'rows', 'column_names', 'column_types']);
    expect(result.rows[1]).toEqual({
      schema: 'stripe',
      name: 'customers',
      rows: 250,
      column_names: ['id', 'email', 'amount'],
      column_types: ['VARCHAR', 'VARCHAR', 'BIGINT'],
    });
  });

  it.each(['DESCRIBE stripe.customers', 'SHOW stripe.customers'])('%s describes the columns', async (sql) => {
    const result = await ok(sql);
    expect(result.rows.map((r) => [r.column_name, r.column_type])).toEqual([
      ['id', 'VARCHAR'],
      ['email', 'VARCHAR'],
      ['amount', 'BIGINT'],
    ]);
  });

  it('SHOW TABLES with no source yet is empty, with the same columns', async () => {
    const empty = memoryDB(clock);
    try {
      const result = await new QueryEngine(empty).execute('SHOW TABLES');
      expect(result).toMatchObject({ columns: ['schema', 'name', 'rows', 'columns'], rows: [] });
    } finally {
      await empty.close();
    }
  });
});

describe('QueryEngine.listSources', () => {
  it('lists schemas with tables, counts and freshness', async () => {
    const id = await db.logSyncStart('stripe', 'stripe');
    await db.logSyncEnd(id, 'success', { tablesSynced: 1, rowsSynced: 250 });
    clock.advance(2 * 3600_000 + 15 * 60_000);
    const { sources } = await engine.listSources();
    expect(sources.map((s) => s.name)).toEqual(['hubspot', 'stripe']);
    const stripe = sources.find((s) => s.name === 'stripe')!;
    expect(stripe).toMatchObject({
      tables: [{ name: 'customers', rows: 250 }],
      table_count: 1,
      total_rows: 250,
      last_sync: '2026-03-01 12:00:00',
      age: '2h 15m',
      freshness_threshold: '1h',
      is_stale: true,
    });
    const hubspot = sources.find((s) => s.name === 'hubspot')!;
    expect(hubspot).toMatchObject({ last_sync: null, age: null, is_stale: true });
  });
});

describe('QueryEngine.describeTable', () => {
  it('describes a qualified table with annotations and sample rows', async () => {
    const result = await engine.describeTable('stripe.customers');
    if (isErrorResult(result)) throw new Error(result.error);
    expect(Object.keys(result)).toEqual([
      'schema',
      'table',
      'row_count',
      'columns',
      'last_sync',
      'age',
      'is_stale',
      'sample_rows',
      'related_tables',
    ]);
    // Half the emails are HubSpot contacts': the heuristic pass offers the join, with its confidence.
    expect(result.related_tables).toEqual([
      {
        table: 'hubspot.contacts',
        join: 'ON stripe.customers.email = hubspot.contacts.email',
        cardinality: 'one_to_one',
        description: 'Heuristic: shared email values across sources (125 match)',
        source: 'heuristic',
        confidence: 0.5,
      },
    ]);
    expect(result.columns).toEqual([
      { name: 'id', type: 'VARCHAR', nullable: true },
      { name: 'email', type: 'VARCHAR', nullable: true },
      { name: 'amount', type: 'BIGINT', nullable: true, description: 'Balance', note: 'in cents' },
    ]);
    expect(result.row_count).toBe(250);
    expect(result.sample_rows).toHaveLength(3);
  });

  it('finds a bare table name in its schema', async () => {
    const result = await engine.describeTable('contacts');
    expect(!isErrorResult(result) && result.schema).toBe('hubspot');
  });

  it.each([
    ['stripe.custmers', "Table 'stripe.custmers' not found. Did you mean 'stripe.customers'?"],
    ['contcts', "Table 'contcts' not found in any schema. Did you mean 'hubspot.contacts'?"],
    ['zzz', "Table 'zzz' not found in any schema."],
    ['a.b.c', "Invalid table reference: 'a.b.c'. Use 'schema.table' format."],
    ['empty.x', "Table 'empty.x' not found."],
  ])('explains %s', async (ref, error) => {
    expect(await engine.describeTable(ref)).toEqual({ error });
  });
});
