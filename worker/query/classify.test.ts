import { describe, expect, it } from 'vitest';
import { beforeMigrations, classify } from './classify.ts';

describe('classify', () => {
  it.each([
    'SELECT 1',
    '  -- comment\n select * from stripe.customers',
    '(SELECT 1) UNION (SELECT 2)',
    'WITH x AS (SELECT 1 AS a) SELECT * FROM x',
    'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t',
    'FROM stripe.customers LIMIT 1',
    'SELECT * EXCLUDE (email) FROM stripe.customers QUALIFY row_number() OVER () = 1',
    'SELECT [1, 2], {a: 1}',
    'DESCRIBE stripe.customers',
    'SHOW TABLES',
    'SUMMARIZE stripe.customers',
    'EXPLAIN SELECT 1',
    'VALUES (1), (2)',
    'SELECT 1;',
    "SELECT 'update stripe.customers set x = 1'",
  ])('reads: %s', (sql) => {
    expect(classify(sql).kind).toBe('read');
  });

  it.each([
    [
      'UPDATE stripe.customers SET name = $$x$$ WHERE id = 1',
      'UPDATE',
      { schema: 'stripe', table: 'customers' },
    ],
    [
      'insert into "hubspot"."deals" (dealname) values (\'a\')',
      'INSERT',
      { schema: 'hubspot', table: 'deals' },
    ],
    ['DELETE FROM linear.issues WHERE id = 1', 'DELETE', { schema: 'linear', table: 'issues' }],
    [
      'WITH ids AS (SELECT 1) DELETE FROM stripe.customers WHERE id IN (SELECT * FROM ids)',
      'DELETE',
      { schema: 'stripe', table: 'customers' },
    ],
    ['UPDATE customers SET a = 1', 'UPDATE', { schema: null, table: 'customers' }],
  ])('mutation: %s', (sql, verb, target) => {
    const result = classify(sql);
    expect(result.kind).toBe('mutation');
    if (result.kind !== 'mutation') return;
    expect(result.statements[0]!.verb).toBe(verb);
    expect(result.statements[0]!.target).toEqual(target);
  });

  it('treats several mutations as one batch', () => {
    const result = classify("UPDATE a.b SET c = 1 WHERE id = 1; INSERT INTO d.e (f) VALUES ('g')");
    expect(result.kind === 'mutation' && result.statements.map((s) => s.verb)).toEqual(['UPDATE', 'INSERT']);
  });

  it.each([
    ['DROP TABLE stripe.customers', /DROP statements are not allowed/],
    ['create table x as select 1', /CREATE statements are not allowed/],
    [
      'CREATE SCHEMA x',
      /CREATE statements are not allowed here: .* DDL is allowed only in the scratch schema/,
    ],
    ["ATTACH 'x.duckdb'", /ATTACH statements are refused/],
    ["COPY stripe.customers TO 'x.csv'", /COPY statements are refused/],
    ['INSTALL json', /INSTALL statements are refused/],
    ['LOAD json', /LOAD statements are refused/],
    ['PRAGMA table_info(x)', /PRAGMA statements are refused/],
    ["SET memory_limit = '1GB'", /SET statements are refused/],
    ['CHECKPOINT', /CHECKPOINT statements are refused/],
    ['BEGIN TRANSACTION', /BEGIN statements are refused/],
    [
      'SELECT 1; DROP TABLE stripe.customers',
      /^Statement 2 of 2 \(line 1, DROP\): DROP statements are not allowed/,
    ],
    ['EXPLAIN ANALYZE DELETE FROM a.b WHERE x = 1', /EXPLAIN is only allowed on reads/],
    ['SELECT * FROM (DELETE FROM a.b RETURNING *)', /DELETE nested inside a read/],
    ['MERGE INTO a.b USING c ON true WHEN MATCHED THEN DELETE', /MERGE is not supported/],
    ['42', /Cannot tell what kind of statement/],
    ['SELEC 1', /Syntax error: "SELEC" does not start a statement/],
  ])('refuses %s', (sql, message) => {
    const result = classify(sql);
    expect(result.kind).toBe('refused');
    expect(result.kind === 'refused' && result.error).toMatch(message);
  });

  it('reads a script of reads as its statements, in order', () => {
    const result = classify('SELECT 1; -- two\nSHOW TABLES;\nFROM stripe.customers');
    expect(result.kind).toBe('read');
    expect(result.kind === 'read' && result.statements.map((s) => [s.verb, s.text])).toEqual([
      ['SELECT', 'SELECT 1'],
      ['SHOW', 'SHOW TABLES'],
      ['FROM', 'FROM stripe.customers'],
    ]);
  });

  it('reads a script of reads and writes as a script, each statement with its line', () => {
    const result = classify('SELECT 1;\nUPDATE a.b SET c = 1 WHERE id = 1;\n\nSELECT 2');
    expect(result.kind).toBe('script');
    expect(result.kind === 'script' && result.statements.map((s) => [s.kind, s.verb, s.line])).toEqual([
      ['read', 'SELECT', 1],
      ['mutation', 'UPDATE', 2],
      ['read', 'SELECT', 4],
    ]);
  });

  it('reports empty SQL', () => {
    expect(classify(' -- nothing\n ;; ').kind).toBe('empty');
  });
});

describe('beforeMigrations', () => {
  it.each([
    ['SELECT 1', true],
    ['SELECT count(*) FROM stripe.customers', true],
    ['WITH x AS (SELECT 1 AS a) SELECT * FROM x', true],
    ['FROM stripe.customers; SELECT 2', true],
    ['DESCRIBE stripe.customers', true],
    ['EXPLAIN SELECT 1', true],
    ['SELECT * FROM _dinobase.sync_log', false],
    ['select * from _DINOBASE.tables', false],
    ['SELECT * FROM scratch.notes', false],
    ['CREATE TABLE scratch.t AS SELECT 1 AS a', false],
    ['SHOW TABLES', false],
    ['SELECT 1; UPDATE stripe.customers SET name = 1 WHERE id = 1', false],
  ])('%s may run before the migration check: %s', (sql, early) => {
    const c = classify(sql);
    expect('statements' in c && beforeMigrations(sql, c.statements)).toBe(early);
  });
});
