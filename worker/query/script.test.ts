import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { loadSampleData } from '../sample/load.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { classify } from './classify.ts';
import {
  isErrorResult,
  isScriptPreview,
  QueryEngine,
  type QueryResult,
  type ScriptError,
  type StatementOutcome,
} from './engine.ts';
import { MutationEngine, type BatchPreview, type MutationPreview } from './mutations.ts';

const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
let db: DinobaseDB;
let engine: QueryEngine;
let mutations: MutationEngine;
let ids: string[];

beforeAll(async () => {
  db = memoryDB(clock);
  await loadSampleData(db);
  await db.addSource({ name: 'stripe', type: 'stripe' });
  mutations = new MutationEngine(db, { clock });
  engine = new QueryEngine(db, { mutations });
  ids = (await db.query('SELECT id FROM stripe.customers ORDER BY id LIMIT 3')).map((r) => String(r.id));
}, 120_000);
afterAll(() => db.close());

async function rows(sql: string): Promise<QueryResult> {
  const result = await engine.execute(sql);
  if (isErrorResult(result) || !('rows' in result)) throw new Error(JSON.stringify(result));
  return result;
}

async function failure(sql: string): Promise<ScriptError> {
  const result = await engine.execute(sql);
  if (!isErrorResult(result) || !('statements' in result)) throw new Error(JSON.stringify(result));
  return result as ScriptError;
}

const pendingCount = async () => (await mutations.listPending()).length;
const brief = (outcomes: StatementOutcome[] | undefined) =>
  outcomes?.map(({ index, line, kind, verb, rows, status }) => ({ index, line, kind, verb, rows, status }));

describe('scripts: reads, scratch statements and write previews in order', () => {
  it('runs a mixed script, lists each outcome and stores its previews as one batch', async () => {
    const before = await pendingCount();
    const result = await rows(
      [
        '-- build a pick list',
        'CREATE TABLE scratch.pick AS SELECT id FROM stripe.customers ORDER BY id LIMIT 3;',
        `UPDATE stripe.customers SET name = 'Script A' WHERE id = '${ids[0]}';`,
        `INSERT INTO scratch.pick VALUES ('extra');`,
        `DELETE FROM stripe.customers WHERE id = '${ids[1]}';`,
        '',
        'SELECT id FROM scratch.pick ORDER BY id',
      ].join('\n'),
    );
    expect(result.rows.map((r) => r.id)).toEqual([...ids, 'extra'].sort());
    expect(brief(result.statements)).toEqual([
      { index: 1, line: 2, kind: 'scratch', verb: 'CREATE', rows: 3, status: 'ok' },
      { index: 2, line: 3, kind: 'mutation_preview', verb: 'UPDATE', rows: 1, status: 'ok' },
      { index: 3, line: 4, kind: 'scratch', verb: 'INSERT', rows: 1, status: 'ok' },
      { index: 4, line: 5, kind: 'mutation_preview', verb: 'DELETE', rows: 1, status: 'ok' },
      { index: 5, line: 7, kind: 'read', verb: 'SELECT', rows: 4, status: 'ok' },
    ]);
    expect(result.statements!.every((s) => typeof s.elapsed_ms === 'number' && s.elapsed_ms >= 0)).toBe(true);
    expect(result.message).toBe(
      'Ran 5 statements; this is the result of the last. 2 writes were previewed: confirm or cancel in Pending.',
    );
    const batch = result.pending as BatchPreview;
    expect(batch).toMatchObject({ status: 'pending_confirmation', statements: 2, valid: 2, errors: null });
    expect(batch.mutations.map((m) => m.preview.operation)).toEqual(['UPDATE', 'DELETE']);
    const pending = await mutations.listPending();
    expect(pending).toHaveLength(before + 2);
    expect(pending.filter((m) => m.batch_id === batch.batch_id)).toHaveLength(2);
    // Previews change nothing until confirmed.
    expect((await rows(`SELECT name FROM stripe.customers WHERE id = '${ids[0]}'`)).rows[0]!.name).not.toBe(
      'Script A',
    );
    for (const m of batch.mutations) await mutations.cancel(m.mutation_id);
    await rows('DROP TABLE scratch.pick');
  });

  it('a script ending in a write answers with its outcomes and the preview, stored alone', async () => {
    const result = await engine.execute(
      `SELECT 1 AS a;\nUPDATE stripe.customers SET name = 'Script B' WHERE id = '${ids[2]}'`,
    );
    if (!isScriptPreview(result)) throw new Error(JSON.stringify(result));
    expect(brief(result.statements)).toEqual([
      { index: 1, line: 1, kind: 'read', verb: 'SELECT', rows: 1, status: 'ok' },
      { index: 2, line: 2, kind: 'mutation_preview', verb: 'UPDATE', rows: 1, status: 'ok' },
    ]);
    const preview = result.pending as MutationPreview;
    expect(preview.status).toBe('pending_confirmation');
    expect((await mutations.get(preview.mutation_id))?.status).toBe('pending');
    expect(result.message).toMatch(/the last was a write\. A write was previewed/);
    await mutations.cancel(preview.mutation_id);
  });

  it('a failing statement stops the script and names its line; scratch work stays, previews are dropped', async () => {
    const before = await pendingCount();
    const error = await failure(
      [
        'CREATE TABLE scratch.kept AS SELECT 1 AS a;',
        `UPDATE stripe.customers SET name = 'Never' WHERE id = '${ids[0]}';`,
        '/* a comment',
        '   over lines; */',
        'SELECT 2;',
        '',
        'SELECT * FROM scratch.no_such_table;',
        'CREATE TABLE scratch.never AS SELECT 1',
      ].join('\n'),
    );
    expect(error.error).toMatch(
      /^Statement 4 of 5 \(line 7\) failed: Catalog Error: Table with name no_such_table does not exist/,
    );
    expect(error.line).toBe(7);
    expect(brief(error.statements)).toEqual([
      { index: 1, line: 1, kind: 'scratch', verb: 'CREATE', rows: 1, status: 'kept' },
      { index: 2, line: 2, kind: 'mutation_preview', verb: 'UPDATE', rows: 1, status: 'discarded' },
      { index: 3, line: 5, kind: 'read', verb: 'SELECT', rows: 1, status: 'ok' },
      { index: 4, line: 7, kind: 'read', verb: 'SELECT', rows: null, status: 'failed' },
      { index: 5, line: 8, kind: 'scratch', verb: 'CREATE', rows: null, status: 'not_run' },
    ]);
    expect(error.statements[3]!.error).toMatch(/^Catalog Error: Table with name no_such_table/);
    expect(error.statements[4]!.elapsed_ms).toBeNull();
    expect(await pendingCount()).toBe(before);
    expect((await rows('SELECT a FROM scratch.kept')).rows).toEqual([{ a: 1 }]);
    expect(await engine.execute('SELECT * FROM scratch.never')).toHaveProperty('error');
    await rows('DROP TABLE scratch.kept');
  });

  it('a write whose preview fails stops the script and leaves nothing pending', async () => {
    const before = await pendingCount();
    const error = await failure(
      `UPDATE stripe.customers SET name = 'A' WHERE id = '${ids[0]}';\nSELECT 1;\nUPDATE stripe.nope SET x = 1 WHERE id = 'x';\nSELECT 2`,
    );
    expect(error.error).toMatch(/^Statement 3 of 4 \(line 3\) failed: /);
    expect(error.statements.map((s) => s.status)).toEqual(['discarded', 'ok', 'failed', 'not_run']);
    expect(await pendingCount()).toBe(before);
  });

  it('a refused statement anywhere means nothing in the script runs', async () => {
    const result = await engine.execute(
      'CREATE TABLE scratch.r AS SELECT 1;\nSELECT 1;\nDROP TABLE stripe.customers',
    );
    expect(isErrorResult(result) && result.error).toMatch(
      /^Statement 3 of 3 \(line 3, DROP\): DROP statements are not allowed.* Nothing in the script ran\.$/,
    );
    expect(await engine.execute('SELECT * FROM scratch.r')).toHaveProperty('error');
  });

  it('one statement keeps its single-statement shape (no outcome list)', async () => {
    const one = await rows('SELECT 1 AS a');
    expect(one).not.toHaveProperty('statements');
    const bad = await engine.execute('SELECT * FROM scratch.missing');
    expect(bad).not.toHaveProperty('statements');
    expect(isErrorResult(bad) && bad.error).toMatch(/^Catalog Error/);
  });

  it('a script of only writes stays the batch preview it was', async () => {
    const result = await engine.execute(
      `UPDATE stripe.customers SET name = 'C' WHERE id = '${ids[0]}'; DELETE FROM stripe.customers WHERE id = '${ids[1]}'`,
    );
    expect(result).toMatchObject({ status: 'pending_confirmation', statements: 2, valid: 2 });
    expect(result).not.toHaveProperty('pending');
    for (const m of (result as BatchPreview).mutations) await mutations.cancel(m.mutation_id);
  });
});

describe('splitting a script', () => {
  it('splits around strings, quoted identifiers, comments and $$ bodies, and counts lines in the whole script', async () => {
    const sql = [
      'SELECT \'a;b\' AS "x;y"; -- a comment; with a semicolon',
      '/* block; comment',
      '   /* nested; */ still comment */ SELECT $$one;two$$ AS d;',
      "SELECT E'it\\'s;' AS e;",
      '',
      '  SELECT $tag$ ; $$ ; $tag$ AS t',
    ].join('\n');
    const classified = classify(sql);
    expect(classified.kind === 'read' && classified.statements.map((s) => [s.line, s.text])).toEqual([
      [1, 'SELECT \'a;b\' AS "x;y"'],
      [3, 'SELECT $$one;two$$ AS d'],
      [4, "SELECT E'it\\'s;' AS e"],
      [6, 'SELECT $tag$ ; $$ ; $tag$ AS t'],
    ]);
    const result = await rows(sql);
    expect(result.rows).toEqual([{ t: ' ; $$ ; ' }]);
    expect(brief(result.statements)?.map((s) => [s.line, s.rows, s.status])).toEqual([
      [1, 1, 'ok'],
      [3, 1, 'ok'],
      [4, 1, 'ok'],
      [6, 1, 'ok'],
    ]);
  });

  it('counts lines from firstLine (a selection run from the editor), in outcomes and errors', async () => {
    const result = await engine.execute('SELECT 1;\n\nSELECT nope', { firstLine: 10 });
    expect(isErrorResult(result) && result.error).toMatch(
      /^Statement 2 of 2 \(line 12\) failed: Binder Error/,
    );
    expect(brief((result as ScriptError).statements)?.map((s) => s.line)).toEqual([10, 12]);
    expect(await engine.execute('SELECT 1', { firstLine: 0 })).toEqual({
      error: 'firstLine must be a positive integer, got 0.',
      code: 'invalid_argument',
    });
  });

  it('counts \\r\\n and lone \\r line ends as editors do', () => {
    const classified = classify('SELECT 1;\r\nSELECT 2;\rSELECT 3;\n\nSELECT 4');
    expect(classified.kind === 'read' && classified.statements.map((s) => s.line)).toEqual([1, 2, 3, 5]);
  });
});
