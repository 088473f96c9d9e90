import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../test/hostile-kit.ts';
import type { DinobaseDB } from '../db.ts';
import { loadSampleData } from '../sample/load.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { classify } from './classify.ts';
import { isErrorResult, QueryEngine } from './engine.ts';
import { MutationEngine } from './mutations.ts';

const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
let db: DinobaseDB;
let engine: QueryEngine;
let fileDir: string;

/** Everything outside scratch: what no scratch statement may change. */
const outside = async () =>
  (await fingerprint(db, fileDir))
    .split('\n')
    .filter((line) => !/scratch/i.test(line))
    .join('\n');

const rows = async (sql: string) => {
  const result = await engine.execute(sql);
  if (isErrorResult(result)) throw new Error(result.error);
  if (!('rows' in result)) throw new Error(`not rows: ${JSON.stringify(result)}`);
  return result.rows;
};

beforeAll(async () => {
  db = memoryDB(clock);
  await loadSampleData(db);
  await db.addSource({ name: 'stripe', type: 'stripe' });
  engine = new QueryEngine(db, { mutations: new MutationEngine(db, { clock }) });
  const probe = await (await db.database()).registerFile('probe.csv', new TextEncoder().encode('a\n1\n'));
  fileDir = probe.slice(0, probe.lastIndexOf('/'));
}, 120_000);
afterAll(() => db.close());

describe('classify: the scratch rule', () => {
  it.each([
    'CREATE TABLE scratch.t AS SELECT * FROM stripe.customers',
    'CREATE OR REPLACE TABLE scratch.t (a INTEGER, b VARCHAR)',
    'CREATE TABLE IF NOT EXISTS "scratch"."T" AS SELECT 1',
    'CREATE VIEW scratch.v AS SELECT count(*) FROM stripe.customers',
    'CREATE MACRO scratch.twice(x) AS x * 2',
    'CREATE MACRO scratch.top(n) AS TABLE SELECT * FROM stripe.customers LIMIT n',
    'INSERT INTO scratch.t VALUES (1)',
    'INSERT OR REPLACE INTO scratch.t SELECT 1',
    'UPDATE scratch.t SET a = 2 FROM stripe.customers c WHERE c.id = scratch.t.b',
    'DELETE FROM scratch.t WHERE a = 1',
    'ALTER TABLE scratch.t RENAME TO u',
    'ALTER TABLE scratch.t ADD COLUMN c INTEGER',
    'DROP TABLE IF EXISTS scratch.t',
    'DROP MACRO TABLE scratch.top',
    'TRUNCATE scratch.t',
    'CREATE /* c */ TABLE -- c\n scratch /* c */ . /* c */ t AS SELECT 1',
  ])('runs directly: %s', (sql) => {
    expect(classify(sql).kind).toBe('read');
  });

  it.each([
    ['CREATE TABLE t AS SELECT 1', 'not allowed outside the scratch schema'],
    ['CREATE OR REPLACE TABLE stripe.customers AS SELECT 1', 'not allowed outside the scratch schema'],
    ['CREATE TABLE memory.scratch.t AS SELECT 1', 'Name the table scratch.<name>'],
    ['CREATE TABLE dinobase.scratch.t AS SELECT 1', 'Name the table scratch.<name>'],
    ['CREATE TABLE scratch.t.x AS SELECT 1', 'Name the table scratch.<name>'],
    ['CREATE TABLE U&"scratch".t AS SELECT 1', 'Name the table scratch.<name>'],
    ['CREATE TEMP TABLE scratch.t AS SELECT 1', 'DDL is allowed only in the scratch schema'],
    ['CREATE SCHEMA scratch2', 'DDL is allowed only in the scratch schema'],
    ['DROP SCHEMA scratch CASCADE', 'DDL is allowed only in the scratch schema'],
    ['DROP TABLE scratch.t CASCADE', 'no CASCADE'],
    ['DROP TABLE scratch.t, stripe.customers', 'one name'],
    ['DROP TABLE _dinobase.sources', 'not allowed outside the scratch schema'],
    ['ALTER TABLE scratch.t RENAME TO stripe.t', 'bare new name'],
    ['ALTER TABLE scratch.t SET SCHEMA stripe', 'cannot move'],
    ['ALTER TABLE stripe.customers RENAME TO x', 'not allowed outside the scratch schema'],
    ['CREATE TABLE scratch.t (id VARCHAR REFERENCES stripe.customers (id))', 'foreign keys'],
    ['CREATE TABLE scratch.t AS SELECT * FROM (DELETE FROM stripe.customers RETURNING *)', 'nested'],
    ['INSERT INTO scratch.t SELECT * FROM (DELETE FROM stripe.customers RETURNING *)', 'nested'],
    ['CREATE INDEX i ON scratch.t (a)', 'DDL is allowed only in the scratch schema'],
    ['TRUNCATE stripe.customers', 'not allowed outside the scratch schema'],
  ])('refuses %s', (sql, reason) => {
    const result = classify(sql);
    expect(result.kind).toBe('refused');
    expect(result.kind === 'refused' && result.error).toContain(reason);
    expect(result.kind === 'refused' && result.error).toContain('CREATE TABLE scratch.x AS SELECT');
  });

  it('writes to synced tables still go to mutation previews', () => {
    expect(classify("UPDATE stripe.customers SET name = 'x' WHERE id = '1'").kind).toBe('mutation');
    expect(classify('WITH a AS (SELECT 1) INSERT INTO stripe.customers (id) SELECT 1').kind).toBe('mutation');
  });

  it('a script of reads and scratch statements runs in order', () => {
    const result = classify(
      'CREATE TABLE scratch.s AS SELECT 1 AS a; INSERT INTO scratch.s VALUES (2); SELECT * FROM scratch.s',
    );
    expect(result.kind === 'read' && result.statements.map((s) => s.verb)).toEqual([
      'CREATE',
      'INSERT',
      'SELECT',
    ]);
  });
});

describe('the scratch schema on DuckDB', () => {
  it('creates, fills, changes, renames and drops its own tables, views and macros; nothing else changes', async () => {
    const before = await outside();
    await rows('CREATE TABLE scratch.big AS SELECT id, email FROM stripe.customers');
    await rows("INSERT INTO scratch.big VALUES ('x1', 'x@example.com')");
    await rows("UPDATE scratch.big SET email = 'y@example.com' WHERE id = 'x1'");
    await rows('CREATE VIEW scratch.n AS SELECT count(*) AS n FROM scratch.big');
    await rows('CREATE MACRO scratch.twice(x) AS x * 2');
    const total = Number((await rows('SELECT count(*) AS n FROM stripe.customers'))[0]!.n);
    expect(await rows('SELECT scratch.twice(n) AS t FROM scratch.n')).toEqual([{ t: 2 * (total + 1) }]);
    await rows("DELETE FROM scratch.big WHERE id = 'x1'");
    await rows('ALTER TABLE scratch.big RENAME TO small');
    expect(await rows("SELECT schema_name FROM duckdb_tables() WHERE table_name = 'small'")).toEqual([
      { schema_name: 'scratch' },
    ]);
    await rows('DROP VIEW scratch.n');
    await rows('DROP MACRO scratch.twice');
    await rows('DROP TABLE scratch.small');
    expect(await outside()).toBe(before);
  });

  it('comments between the tokens, OR REPLACE and quoted names run as DuckDB reads them', async () => {
    await rows('CREATE /* a */ TABLE -- b\n scratch /* c */ . /* d */ "Mixed Case" AS SELECT 1 AS a');
    await rows('CREATE OR REPLACE VIEW scratch.v2 AS SELECT a + 1 AS b FROM scratch."Mixed Case"');
    await rows('CREATE OR REPLACE VIEW scratch.v2 AS SELECT a + 2 AS b FROM scratch."Mixed Case"');
    expect(await rows('SELECT b FROM scratch.v2')).toEqual([{ b: 3 }]);
    await rows('DROP VIEW scratch.v2');
    await rows('DROP TABLE scratch."Mixed Case"');
  });

  it('"Scratch" in quotes is the same schema (DuckDB compares names case-insensitively)', async () => {
    await rows('CREATE TABLE "Scratch"."Q" AS SELECT 1 AS a');
    expect(await rows("SELECT schema_name FROM duckdb_tables() WHERE table_name = 'Q'")).toEqual([
      { schema_name: 'scratch' },
    ]);
    await rows('DROP TABLE scratch.q');
  });

  it.each([
    'CREATE TABLE t AS SELECT 1',
    'CREATE OR REPLACE TABLE stripe.customers AS SELECT 1 AS id',
    'DROP SCHEMA scratch CASCADE',
    'DROP TABLE stripe.customers',
    'ALTER TABLE stripe.customers RENAME TO pwned',
    'CREATE TABLE memory.scratch.t AS SELECT 1',
    "ATTACH ':memory:' AS scratch",
    'USE scratch',
    'SET search_path = scratch',
    'CREATE MACRO count(x) AS 1',
    "CREATE TABLE scratch.f AS SELECT * FROM read_csv('/etc/passwd')",
    "CREATE TABLE scratch.f AS SELECT * FROM read_csv('https://example.com/x.csv')",
    'CREATE TABLE scratch.t AS SELECT 1; DROP TABLE stripe.customers',
    'CREATE VIEW scratch.v AS SELECT * FROM (DELETE FROM stripe.customers RETURNING *)',
    'CREATE MACRO scratch.m() AS TABLE (DELETE FROM stripe.customers RETURNING *)',
    "CREATE TABLE scratch.t AS SELECT * FROM query('DELETE FROM stripe.customers')",
    'CREATE TABLE scratch.t AS SELECT 1 AS a; ALTER TABLE scratch.t RENAME TO stripe.t',
    'CREATE SEQUENCE scratch.s',
    'CREATE TEMP MACRO lower(x) AS 42',
    'DROP TABLE IF EXISTS scratch.nothing CASCADE',
    'CREATE TABLE scratch.t AS SELECT 1 --\r; DROP TABLE stripe.customers; --',
  ])('%s changes nothing outside scratch', async (sql) => {
    const before = await outside();
    expect(await engine.execute(sql)).toHaveProperty('error');
    expect(await outside()).toBe(before);
    await engine.execute('DROP TABLE IF EXISTS scratch.t');
  });

  it('a macro in scratch does not shadow a built-in', async () => {
    await rows('CREATE MACRO scratch.lower(x) AS 42');
    expect(await rows("SELECT lower('AB') AS l, scratch.lower('AB') AS s")).toEqual([{ l: 'ab', s: 42 }]);
    await rows('DROP MACRO scratch.lower');
  });

  it('a registered file may be read into a scratch table', async () => {
    await rows(`CREATE TABLE scratch.f AS SELECT * FROM read_csv('${fileDir}/probe.csv')`);
    expect(await rows('SELECT a FROM scratch.f')).toEqual([{ a: 1 }]);
    await rows('DROP TABLE scratch.f');
  });
});

describe('scratch in the catalog and across a re-load', () => {
  it('listSources shows a "scratch" entry with its tables and views, never stale; it is not a source schema', async () => {
    await rows('CREATE TABLE scratch.emails AS SELECT id, email FROM stripe.customers');
    await rows('CREATE VIEW scratch.customer_count AS SELECT count(*) AS n FROM stripe.customers');
    const total = Number((await rows('SELECT count(*) AS n FROM stripe.customers'))[0]!.n);
    const { sources } = await engine.listSources();
    expect(sources.find((s) => s.name === 'scratch')).toEqual({
      name: 'scratch',
      type: 'scratch',
      tables: [
        { name: 'customer_count', rows: 0, view: true },
        { name: 'emails', rows: total },
      ],
      table_count: 2,
      total_rows: total,
      last_sync: null,
    });
    expect(await db.getSchemas()).not.toContain('scratch');
    expect(await engine.describeTable('scratch.customer_count')).toMatchObject({
      schema: 'scratch',
      columns: [{ name: 'n' }],
    });
  });

  it('a view over a synced table still answers after the table is loaded again', async () => {
    // The sample load writes as a sync does (loadTables: evolve, clear, insert), with replaceAll.
    await loadSampleData(db, { replace: true });
    const total = Number((await rows('SELECT count(*) AS n FROM stripe.customers'))[0]!.n);
    expect(await rows('SELECT n FROM scratch.customer_count')).toEqual([{ n: total }]);
    expect(await rows('SELECT count(*) AS n FROM scratch.emails')).toEqual([{ n: total }]);
    await rows('DROP VIEW scratch.customer_count');
    await rows('DROP TABLE scratch.emails');
    expect((await engine.listSources()).sources.map((s) => s.name)).not.toContain('scratch');
  });
});

describe('a broken scratch view', () => {
  it('leaves listSources and SHOW TABLES working, and names itself when read', async () => {
    await rows('CREATE TABLE scratch.base AS SELECT 1 AS a');
    await rows('CREATE VIEW scratch.over_base AS SELECT a FROM scratch.base');
    await rows('DROP TABLE scratch.base');
    const { sources } = await engine.listSources();
    expect(sources.find((s) => s.name === 'scratch')?.tables).toEqual([
      { name: 'over_base', rows: 0, view: true },
    ]);
    const shown = await rows('SHOW TABLES');
    expect(shown.map((r) => `${String(r.schema)}.${String(r.name)}`)).toContain('stripe.customers');
    expect(await engine.execute('SELECT * FROM scratch.over_base')).toMatchObject({
      error: expect.stringMatching(/base/),
    });
    await rows('DROP VIEW scratch.over_base');
  });
});
