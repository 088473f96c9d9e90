// Read-after-write on real DuckDB-WASM: normalising answers, typed binds, partial updates, upserts, child rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.ts';
import { parseConnectorSpec } from '../connectors/spec.ts';
import { memoryDB } from '../testing.ts';
import { applyLocal, bindValue, normalizeRecord } from './local.ts';
import { isFinal, Outbox, storedResult } from './outbox.ts';
import type { MutationPlan, Operation, PlannedRow } from './types.ts';

const db = memoryDB();
const spec = parseConnectorSpec({
  name: 'acme',
  description: 'test',
  credentials: [],
  client: { base_url: 'https://api.acme.test/', allowed_hosts: ['api.acme.test'], auth: { type: 'none' } },
  resources: [{ name: 'things', endpoint: { path: 'things' } }],
});

beforeAll(async () => {
  await db.run('CREATE SCHEMA acme');
  await db.run(`CREATE TABLE acme.things (id VARCHAR, _dlt_id VARCHAR, name VARCHAR, created TIMESTAMP,
    amount BIGINT, active BOOLEAN, owner__name VARCHAR, tags VARCHAR[])`);
  await db.run(
    'CREATE TABLE acme.things__items (value VARCHAR, _dlt_root_id VARCHAR, _dlt_parent_id VARCHAR)',
  );
  await db.run(`INSERT INTO acme.things VALUES
    ('t1', 't1', 'One', '2026-01-01 00:00:00', 10, true, 'Ann', ['a']),
    ('t2', 't2', 'Two', '2026-01-02 00:00:00', 20, false, 'Bob', ['b'])`);
  await db.run(
    `INSERT INTO acme.things__items VALUES ('x', 't2', 't2'), ('y', 't2', 't2'), ('z', 't1', 't1')`,
  );
});
afterAll(() => db.close());

function plan(operation: Operation, columns: string[], row: Partial<PlannedRow>): MutationPlan {
  return {
    mutation_id: 'm1',
    source: 'acme',
    source_type: 'acme',
    table: 'things',
    operation,
    columns,
    rows: [{ index: 0, id: null, key: {}, scope: {}, before: null, after: null, ...row }],
  };
}

const apply = (p: MutationPlan, response: Record<string, unknown> | null) =>
  db.transaction((conn) =>
    applyLocal(
      conn,
      spec,
      p,
      p.rows[0]!,
      response === null ? null : normalizeRecord(spec, 'things', response),
    ),
  );
const thing = async (id: string) => (await db.query('SELECT * FROM acme.things WHERE id = ?', [id]))[0];

describe('normalizeRecord', () => {
  it('shapes an object as the sync does, keeping API nulls as explicit nulls', () => {
    const hubspot = builtinConnectors().get('hubspot');
    expect(
      normalizeRecord(hubspot, 'contacts', {
        id: '51',
        properties: { email: 'a@b.example', jobtitle: null },
        updatedAt: '2026-06-01T09:00:00Z',
        archived: false,
      }),
    ).toEqual({
      id: '51',
      email: 'a@b.example',
      jobtitle: null,
      updated_at: '2026-06-01T09:00:00Z',
      archived: false,
      _dlt_id: '51',
    });
    expect(normalizeRecord(hubspot, 'contacts', null)).toBeNull();
    expect(normalizeRecord(hubspot, 'contacts', 'text')).toBeNull();
  });
});

describe('bindValue', () => {
  it('converts like the loader: ISO and unix seconds to TIMESTAMP text, objects to JSON', () => {
    expect(bindValue('2026-06-01T09:00:00.123456Z', 'TIMESTAMP')).toBe('2026-06-01 09:00:00.123456');
    expect(bindValue(1780304400, 'TIMESTAMP')).toBe('2026-06-01 09:00:00');
    expect(bindValue('2026-06-01T09:00:00Z', 'DATE')).toBe('2026-06-01');
    expect(bindValue(12, 'VARCHAR')).toBe('12');
    expect(bindValue({ a: 1 }, 'VARCHAR')).toBe('{"a":1}');
    expect(bindValue(null, 'BIGINT')).toBeNull();
  });
});

describe('applyLocal', () => {
  it('update: sets the answer’s columns, never lists, and only the SET values the answer lacks', async () => {
    const p = plan('update', ['name', 'amount'], {
      id: 't1',
      key: { id: 't1' },
      after: { name: 'Planned', amount: 11 },
    });
    expect(
      await apply(p, {
        id: 't1',
        name: 'From API',
        created: '2026-03-01T10:00:00Z',
        owner: null,
        tags: ['new'],
      }),
    ).toBe('updated');
    expect(await thing('t1')).toMatchObject({
      name: 'From API',
      amount: 11,
      created: '2026-03-01 10:00:00',
      active: true,
      owner__name: 'Ann',
      tags: ['a'],
    });
  });

  it('update with no answer (or an unknown key) writes the SET values, or nothing', async () => {
    const p = plan('update', ['active'], { id: 't1', key: { id: 't1' }, after: { active: false } });
    expect(await apply(p, null)).toBe('updated');
    expect((await thing('t1'))!.active).toBe(false);
    const missing = plan('update', ['active'], { id: 'nope', key: { id: 'nope' }, after: { active: true } });
    expect(await apply(missing, null)).toBe('unchanged');
  });

  it('insert: the answer plus planned columns it lacks; a replayed create replaces, never duplicates', async () => {
    const p = plan('insert', ['name', 'owner__name'], { after: { name: 'Three', owner__name: 'Cy' } });
    const answer = { id: 't3', name: 'Three', amount: '30', created: 1780304400 };
    expect(await apply(p, answer)).toBe('inserted');
    expect(await apply(p, answer)).toBe('inserted');
    expect(await db.query("SELECT * FROM acme.things WHERE id = 't3'")).toEqual([
      {
        id: 't3',
        _dlt_id: 't3',
        name: 'Three',
        created: '2026-06-01 09:00:00',
        amount: 30,
        active: null,
        owner__name: 'Cy',
        tags: null,
      },
    ]);
  });

  it('delete: removes the row and its child-table rows', async () => {
    const p = plan('delete', [], { id: 't2', key: { id: 't2' }, before: { id: 't2' } });
    expect(await apply(p, null)).toBe('deleted');
    expect(await thing('t2')).toBeUndefined();
    expect(await db.query('SELECT value FROM acme.things__items ORDER BY value')).toEqual([{ value: 'z' }]);
    expect(await apply(p, null)).toBe('unchanged');
  });

  it('a table that was never synced is reported, not created', async () => {
    const p = { ...plan('insert', ['name'], { after: { name: 'x' } }), table: 'other' };
    expect(await db.transaction((conn) => applyLocal(conn, spec, p, p.rows[0]!, { id: 'o1' }))).toBe(
      'not_synced',
    );
  });
});

describe('outbox', () => {
  it('keeps existing rows on reopen and rebuilds stored results with their local outcome', async () => {
    await db.conn;
    const outbox = new Outbox(db, 'm-outbox');
    const rows: PlannedRow[] = [0, 1].map((index) => ({
      index,
      id: `r${index}`,
      key: {},
      scope: {},
      before: null,
      after: null,
    }));
    expect([...(await outbox.open(rows)).values()].map((r) => r.state)).toEqual(['pending', 'pending']);
    await outbox.sending(0);
    await db.exclusive((conn) =>
      outbox.finish(
        conn,
        { index: 0, id: 'r0', status: 'ok', http_status: 200, local: 'updated', note: 'already applied' },
        { id: 'r0' },
      ),
    );
    const reopened = await outbox.open(rows);
    expect(reopened.get(0)).toMatchObject({
      state: 'ok',
      attempts: 1,
      response: '{"local":"updated","body":{"id":"r0"}}',
    });
    expect(reopened.get(1)).toMatchObject({ state: 'pending', attempts: 0 });
    // A stale row is final too: a resume reports it again instead of re-checking or writing it.
    const stale = {
      index: 1,
      id: 'r1',
      status: 'stale',
      note: 'changed since preview: x',
      error: 'stale',
    } as const;
    await db.exclusive((conn) => outbox.finish(conn, stale));
    const row1 = (await outbox.open(rows)).get(1)!;
    expect(isFinal(row1.state)).toBe(true);
    expect(storedResult(row1)).toEqual(stale);
    expect(storedResult(reopened.get(0)!)).toEqual({
      index: 0,
      id: 'r0',
      status: 'ok',
      http_status: 200,
      note: 'already applied',
      local: 'updated',
    });
  });
});
