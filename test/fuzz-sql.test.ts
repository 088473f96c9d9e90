// Issue 16's fuzz: 320 seeded hostile inputs through execute and handleSql; each settles with a result or an error object, and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../worker/db.ts';
import { QueryEngine } from '../worker/query/engine.ts';
import { MutationEngine } from '../worker/query/mutations.ts';
import { loadSampleData } from '../worker/sample/load.ts';
import { ManualClock, memoryDB } from '../worker/testing.ts';
import { fingerprint, JOINS, READS, Rng, writes } from './hostile-kit.ts';

/** Only a failure detector: a call that has not settled by then is hung. */
const SETTLE_MS = 10_000;

const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
let db: DinobaseDB;
let queries: QueryEngine;
let mutations: MutationEngine;
let fileDir: string;

beforeAll(async () => {
  db = memoryDB(clock);
  await loadSampleData(db);
  await db.addSource({ name: 'stripe', type: 'stripe' });
  await db.addSource({ name: 'hubspot', type: 'hubspot' });
  mutations = new MutationEngine(db, { clock });
  queries = new QueryEngine(db, { mutations });
  const probe = await (await db.database()).registerFile('probe.txt', new TextEncoder().encode('x'));
  fileDir = probe.slice(0, probe.lastIndexOf('/'));
}, 120_000);
afterAll(() => db.close());

const VOCABULARY = [
  'SELECT',
  'FROM',
  'WHERE',
  'WITH',
  'AS',
  'UPDATE',
  'SET',
  'DELETE',
  'INSERT',
  'INTO',
  'VALUES',
  'DROP',
  'TABLE',
  'ATTACH',
  'PRAGMA',
  'COPY',
  'TO',
  'stripe.customers',
  'id',
  'name',
  '*',
  '1',
  '(',
  ')',
  '[',
  ']',
  ',',
  ';',
  "'",
  '"',
  "''",
  "E'\\''",
  '$$',
  '$t$',
  '--',
  '\r',
  '\n',
  '/*',
  '*/',
  'U&',
  '=',
  '||',
  '\u00a0',
  '\u2028',
  '?',
  '$1',
  '::',
  'NULL',
  'x',
];

function randomTokens(rng: Rng): string {
  const n = rng.int(1, 30);
  return Array.from({ length: n }, () => rng.pick(VOCABULARY)).join(rng.pick([' ', '', '\t']));
}

function nesting(rng: Rng): string {
  const depth = rng.int(1, 60);
  const closed = rng.chance(0.5);
  const inner = `${'('.repeat(depth)}id = 'cus_1'${closed ? ')'.repeat(depth) : ''}`;
  if (rng.chance(0.3)) {
    let sql = 'SELECT 1 AS x';
    for (let i = 0; i < rng.int(1, 20); i++) sql = `WITH t${i} AS (${sql}) SELECT * FROM t${i}`;
    return sql;
  }
  return rng.chance(0.5)
    ? `UPDATE stripe.customers SET name = 'x' WHERE ${inner}`
    : `SELECT count(*) FROM stripe.customers WHERE ${inner}`;
}

function literal(rng: Rng): string {
  // Mostly over a limit (refused cheaply), a few just under it.
  const kb = rng.pick([300, 600, 1100, 2100, 4100, 100]);
  const value = 'z'.repeat(kb * 1024);
  return rng.chance(0.5)
    ? `SELECT length('${value}') AS n`
    : `UPDATE stripe.customers SET name = '${value}' WHERE id = 'cus_none'`;
}

function mutation(rng: Rng): string {
  return rng.pick([
    () => `UPDATE stripe.customers SET name = 'fuzz ${rng.int(0, 99)}' WHERE id = 'cus_${rng.int(0, 5)}'`,
    () => `DELETE FROM stripe.customers WHERE id = 'nope_${rng.int(0, 9)}'`,
    () => `INSERT INTO stripe.customers (email) VALUES ('f${rng.int(0, 99)}@x.test')`,
    () => `UPDATE stripe.customers SET name = E'\\'' WHERE id = 'cus_1'; DROP TABLE stripe.customers`,
    () => `UPDATE stripe.customers SET name = 'a' --\r WHERE 1 = 1; DROP TABLE stripe.customers`,
    () => `UPDATE _dinobase.sources SET type = 'x' WHERE name = 'stripe'`,
    () => `DELETE FROM stripe.customers`,
    () =>
      `UPDATE stripe.customers SET name = (SELECT 'x' FROM (SELECT 1)) WHERE id IN (SELECT id FROM stripe.customers LIMIT 2)`,
  ])();
}

function inputs(): { sql: string; via: 'execute' | 'handleSql' }[] {
  const rng = new Rng(0x16);
  const attacks = writes('FILEDIR');
  const makers = [
    () => rng.pick(JOINS)(rng.pick(READS), rng.pick(attacks)),
    () => nesting(rng),
    () => randomTokens(rng),
    () => mutation(rng),
  ];
  const out: { sql: string; via: 'execute' | 'handleSql' }[] = [];
  for (let i = 0; i < 320; i++) {
    const sql = i % 16 === 0 ? literal(rng) : makers[i % makers.length]!();
    out.push({ sql, via: rng.chance(0.3) ? 'handleSql' : 'execute' });
  }
  return out;
}

async function settle<T>(call: Promise<T>, sql: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not settle in ${SETTLE_MS} ms: ${sql.slice(0, 200)}`)),
      SETTLE_MS,
    );
  });
  try {
    return await Promise.race([call, hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('SQL fuzz (seeded)', () => {
  it('320 hostile inputs each settle with a result or an error object, and change nothing', async () => {
    const before = await fingerprint(db, fileDir);
    const list = inputs();
    expect(list.length).toBeGreaterThanOrEqual(300);
    const kinds = { error: 0, rows: 0, preview: 0 };
    for (const { sql: template, via } of list) {
      const sql = template.replaceAll('FILEDIR', fileDir);
      const result =
        via === 'execute'
          ? await settle(queries.execute(sql, { timeoutMs: 5000 }), sql)
          : await settle(mutations.handleSql(sql), sql);
      expect(typeof result, sql.slice(0, 200)).toBe('object');
      if ('error' in result) {
        expect(typeof result.error, sql.slice(0, 200)).toBe('string');
        kinds.error++;
      } else if ('mutation_id' in result || 'batch_id' in result) kinds.preview++;
      else {
        expect(result, sql.slice(0, 200)).toHaveProperty('columns');
        kinds.rows++;
      }
    }
    // The mix really exercised all three outcomes.
    expect(kinds.error).toBeGreaterThan(100);
    expect(kinds.rows).toBeGreaterThan(10);
    expect(kinds.preview).toBeGreaterThan(5);
    expect(await queries.execute('SELECT 42 AS answer')).toMatchObject({ rows: [{ answer: 42 }] });
    expect(await fingerprint(db, fileDir)).toBe(before);
  }, 300_000);
});
