// The original's mutation behaviours (dinobase-behaviour.md §3), ported: previews, limits, errors, batches, lifecycle.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import type { MutationPlan, RowResult } from '../mutations/types.ts';
import { loadSampleData } from '../sample/load.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { QueryEngine, isErrorResult } from './engine.ts';
import {
  MutationEngine,
  isMutationFailure,
  type BatchPreview,
  type MutationFailure,
  type MutationPreview,
  type PlanExecutor,
} from './mutations.ts';

const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
let db: DinobaseDB;
/** The plans confirm handed over; the real write-back is exercised against the sandboxes in test/. */
const executed: MutationPlan[] = [];
const recorder: PlanExecutor = {
  async execute(plan) {
    executed.push(plan);
    return plan.rows.map((r): RowResult => ({
      index: r.index,
      id: r.id,
      status: 'ok',
      http_status: 200,
      local: 'updated',
    }));
  },
};
let engine: MutationEngine;

function preview(result: unknown): MutationPreview {
  if (isMutationFailure(result)) throw new Error(`expected a preview, got: ${result.error}`);
  return result as MutationPreview;
}
const failed = (result: unknown) => (result as MutationFailure).error;

beforeAll(async () => {
  db = memoryDB(clock);
  await loadSampleData(db);
  await db.addSource({ name: 'stripe', type: 'stripe' });
  await db.addSource({ name: 'hubspot', type: 'hubspot' });
});
afterAll(() => db.close());
beforeEach(() => {
  executed.length = 0;
  engine = new MutationEngine(db, { clock, writer: recorder });
});

const firstCustomer = async () =>
  (await db.query('SELECT id, name, email FROM stripe.customers ORDER BY id LIMIT 1'))[0] as {
    id: string;
    name: string | null;
    email: string;
  };

describe('previews', () => {
  it('previews an UPDATE with per-row old → new changes, the API it will call, and writes nothing', async () => {
    const c = await firstCustomer();
    const result = preview(
      await engine.handleSql(`UPDATE stripe.customers SET name = 'Acme Corp' WHERE id = '${c.id}'`),
    );
    expect(result.mutation_id).toMatch(/^mut_[0-9a-f]{12}$/);
    expect(result.status).toBe('pending_confirmation');
    expect(result.confirm).toBe(`Call confirm with mutation_id '${result.mutation_id}' to execute`);
    expect(result.preview).toMatchObject({
      operation: 'UPDATE',
      source: 'stripe',
      table: 'customers',
      rows_affected: 1,
      changes: [{ id: c.id, name: `${c.name ?? 'NULL'} → Acme Corp` }],
      api: { method: 'POST', path: 'v1/customers/{id}', host: 'api.stripe.com', calls: 1 },
    });
    expect(result.preview.side_effects[0]).toMatch(
      /^Will call API to update 1 record\(s\) in stripe \(POST v1\/customers\/\{id\}/,
    );
    expect((await firstCustomer()).name).toBe(c.name);
    expect(executed).toEqual([]);
  });

  it('evaluates SET expressions in DuckDB and casts them to the column type', async () => {
    const c = await firstCustomer();
    const result = preview(
      await engine.handleSql(`UPDATE stripe.customers SET name = upper(email) || '!' WHERE id = '${c.id}'`),
    );
    expect(result.preview.changes![0]!.name).toBe(`${c.name ?? 'NULL'} → ${c.email.toUpperCase()}!`);
    expect(
      failed(await engine.handleSql(`UPDATE stripe.customers SET balance = 'lots' WHERE id = '${c.id}'`)),
    ).toMatch(/^Could not evaluate the SET values: .*lots/);
  });

  it('previews a DELETE with every column of the rows to delete', async () => {
    const c = await firstCustomer();
    const result = preview(await engine.handleSql(`DELETE FROM stripe.customers WHERE id = '${c.id}'`));
    expect(result.preview).toMatchObject({ operation: 'DELETE', rows_affected: 1 });
    expect(result.preview.rows_to_delete![0]).toMatchObject({ id: c.id, email: c.email });
    expect(result.preview.side_effects[0]).toMatch(/^Will call API to delete 1 record\(s\) from stripe/);
  });

  it('previews a multi-row INSERT with typed values', async () => {
    const result = preview(
      await engine.handleSql(
        `INSERT INTO hubspot.contacts (email, firstname) VALUES ('new@example.com', 'New'), ('two@example.com', NULL)`,
      ),
    );
    expect(result.preview).toMatchObject({
      operation: 'INSERT',
      source: 'hubspot',
      table: 'contacts',
      rows_to_insert: 2,
      data: { email: 'new@example.com', firstname: 'New' },
      rows: [
        { email: 'new@example.com', firstname: 'New' },
        { email: 'two@example.com', firstname: null },
      ],
    });
    expect(result.preview.side_effects[0]).toMatch(/^Will call API to create 2 records in hubspot/);
  });

  it('keeps quoted semicolons inside one statement (no naive splitting)', async () => {
    const c = await firstCustomer();
    const result = preview(
      await engine.handleSql(`UPDATE stripe.customers SET name = 'a; b' WHERE id = '${c.id}';`),
    );
    expect(result.preview.changes![0]!.name).toMatch(/→ a; b$/);
  });
});

describe('limits and refusals', () => {
  it('refuses more rows than max_affected_rows, reporting how many', async () => {
    const result = await engine.handleSql(`UPDATE stripe.customers SET name = 'x' WHERE email LIKE '%@%'`, {
      maxAffectedRows: 3,
    });
    const n = Number(
      (await db.query(`SELECT count(*) AS n FROM stripe.customers WHERE email LIKE '%@%'`))[0]?.n,
    );
    expect(result).toEqual({
      error: `This UPDATE would affect ${n} rows (limit: 3). Add a more specific WHERE clause or increase max_affected_rows.`,
      code: 'refused',
      rows_affected: n,
    });
  });

  it.each([
    [
      `UPDATE stripe.customers SET name = 'x' WHERE id = 'nope'`,
      'No rows match the WHERE clause. Nothing to update.',
    ],
    [`DELETE FROM stripe.customers WHERE id = 'nope'`, 'No rows match the WHERE clause. Nothing to delete.'],
    [
      `DELETE FROM stripe.customers`,
      'DELETE without WHERE clause is not allowed. Specify which rows to delete.',
    ],
    [`UPDATE customers SET name = 'x' WHERE id = 'a'`, /^UPDATE requires schema\.table format/],
    [
      `DROP TABLE stripe.customers`,
      'DROP statements are not allowed. Only UPDATE, INSERT, and DELETE are supported.',
    ],
    [`SELECT 1`, "Not a mutation statement. Got 'SELECT', expected UPDATE, INSERT, or DELETE."],
    [
      `UPDATE nope.customers SET name = 'x' WHERE id = 'a'`,
      /^Schema 'nope' is not a known source\. Sources: hubspot, stripe\.$/,
    ],
    [
      `UPDATE _dinobase.mutations SET status = 'executed' WHERE 1 = 1`,
      /^Schema '_dinobase' is Dinobase's own/,
    ],
    [
      `UPDATE stripe.charges SET amount = 1 WHERE id = 'a'`,
      /^stripe\.charges cannot be updated: the stripe connector has no update endpoint for 'charges'\. Writable: customers \(/,
    ],
    [
      `UPDATE stripe.customers SET nmae = 'x' WHERE id = 'a'`,
      /^Column 'nmae' does not exist in stripe\.customers/,
    ],
    [
      `UPDATE stripe.customers SET id = 'x' WHERE id = 'a'`,
      "Column 'id' identifies the row at the source and cannot be changed.",
    ],
    [`UPDATE stripe.customers SET name = 'x' WHERE nosuch = 1`, /^Failed to count affected rows: /],
    [`INSERT INTO stripe.customers VALUES ('a')`, /^INSERT needs a column list/],
    [`INSERT INTO stripe.customers (email) SELECT 'a'`, /^Only INSERT … VALUES is supported/],
    [
      `UPDATE stripe.customers SET name = 'x' WHERE id IN (SELECT id FROM stripe.customers) RETURNING *`,
      /RETURNING is not supported/,
    ],
  ])('%s → %s', async (sql, expected) => {
    const result = await engine.handleSql(sql);
    expect(isMutationFailure(result)).toBe(true);
    if (typeof expected === 'string') expect(failed(result)).toBe(expected);
    else expect(failed(result)).toMatch(expected);
  });
});

describe('writable columns', () => {
  it.each([
    ['delinquent = false', 'delinquent'],
    ["created = '2026-01-01'", 'created'],
    ["currency = 'eur'", 'currency'],
  ])('refuses UPDATE stripe.customers SET %s, naming the writable columns', async (set, column) => {
    const c = await firstCustomer();
    const result = await engine.handleSql(`UPDATE stripe.customers SET ${set} WHERE id = '${c.id}'`);
    expect(result).toMatchObject({ code: 'refused' });
    expect(failed(result)).toMatch(
      new RegExp(
        `^Column '${column}' of stripe\\.customers cannot be updated through the stripe API\\. Writable: `,
      ),
    );
    expect(failed(result)).toMatch(/Writable: .*\baddress__…, balance, .*\bemail\b.*\bname\b.*\bphone\b/);
    expect(failed(result)).not.toMatch(/Writable: .*\bdelinquent\b/);
  });

  it('accepts nested fields under a writable parameter (address__city)', async () => {
    const c = await firstCustomer();
    const result = preview(
      await engine.handleSql(`UPDATE stripe.customers SET address__city = 'Lisbon' WHERE id = '${c.id}'`),
    );
    expect(result.preview.operation).toBe('UPDATE');
  });

  it('refuses an INSERT of a column the API cannot create, and names the creatable ones', async () => {
    const result = await engine.handleSql(
      `INSERT INTO hubspot.contacts (email, hs_object_id) VALUES ('x@example.com', '1')`,
    );
    expect(result).toMatchObject({ code: 'refused' });
    expect(failed(result)).toMatch(
      /^Column 'hs_object_id' of hubspot\.contacts cannot be inserted through the hubspot API\. Creatable: .*\bemail\b.*\bfirstname\b/,
    );
  });
});

describe('batches', () => {
  it('previews several statements as one batch, with per-statement errors', async () => {
    const c = await firstCustomer();
    const result = (await engine.handleSql(
      `UPDATE stripe.customers SET name = 'B' WHERE id = '${c.id}';
       UPDATE hubspot.contacts SET firstname = 'Z' WHERE email = '${c.email}';
       DELETE FROM stripe.customers`,
    )) as BatchPreview;
    expect(result.batch_id).toMatch(/^batch_[0-9a-f]{12}$/);
    expect(result).toMatchObject({ status: 'pending_confirmation', statements: 3, valid: 2 });
    expect(result.sources_involved).toEqual(['stripe', 'hubspot']);
    expect(result.errors).toEqual([
      {
        sql: 'DELETE FROM stripe.customers',
        error: 'DELETE without WHERE clause is not allowed. Specify which rows to delete.',
      },
    ]);
    const ids = result.mutations.map((m) => m.mutation_id);
    expect(result.confirm).toBe(
      `Call confirm for each mutation_id, or confirm_batch with all IDs: ['${ids[0]}', '${ids[1]}']`,
    );
    const batch = await engine.confirmBatch(ids);
    expect(batch).toMatchObject({ status: 'batch_executed', total: 2, succeeded: 2, failed: 0 });
    expect(executed.map((p) => `${p.source}.${p.table}`)).toEqual(['stripe.customers', 'hubspot.contacts']);
  });

  it('reports a batch where every statement fails', async () => {
    expect(await engine.handleSql('DELETE FROM stripe.customers; DROP TABLE x')).toEqual({
      error: 'All statements failed validation',
      details: [
        {
          sql: 'DELETE FROM stripe.customers',
          error: 'DELETE without WHERE clause is not allowed. Specify which rows to delete.',
        },
        {
          sql: 'DROP TABLE x',
          error: 'DROP statements are not allowed. Only UPDATE, INSERT, and DELETE are supported.',
        },
      ],
    });
  });
});

describe('confirm, cancel, expiry and the audit log', () => {
  it('confirms once: the plan carries typed old and new values, and a second confirm is refused', async () => {
    const c = await firstCustomer();
    const { mutation_id: id } = preview(
      await engine.handleSql(`UPDATE stripe.customers SET name = 'Once' WHERE id = '${c.id}'`),
    );
    const [first, concurrent] = await Promise.all([engine.confirm(id), engine.confirm(id)]);
    expect(first).toBe(concurrent);
    expect(first).toMatchObject({
      status: 'executed',
      mutation_id: id,
      operation: 'UPDATE',
      source: 'stripe',
      table: 'customers',
      api_write_back: { total_rows: 1, api_calls: 1, succeeded: 1, failed: 0 },
      local_update: { method: 'api_response', rows_changed: 1 },
    });
    expect(executed).toHaveLength(1);
    expect(executed[0]!.rows).toEqual([
      { index: 0, id: c.id, key: { id: c.id }, scope: {}, before: { name: c.name }, after: { name: 'Once' } },
    ]);
    expect(await engine.confirm(id)).toEqual({
      error: `Mutation '${id}' is executed, not pending`,
      code: 'refused',
    });
    expect(executed).toHaveLength(1);
    expect(await engine.confirm('mut_000000000000')).toEqual({
      error: "Mutation 'mut_000000000000' not found",
      code: 'not_found',
    });
  });

  it('cancels a pending mutation without touching data; it cannot be confirmed afterwards', async () => {
    const c = await firstCustomer();
    const { mutation_id: id } = preview(
      await engine.handleSql(`DELETE FROM stripe.customers WHERE id = '${c.id}'`),
    );
    expect(await engine.cancel(id)).toEqual({ status: 'cancelled', mutation_id: id });
    expect(await engine.cancel(id)).toEqual({
      error: `Mutation '${id}' is cancelled, not pending`,
      code: 'refused',
    });
    expect(await engine.confirm(id)).toEqual({
      error: `Mutation '${id}' is cancelled, not pending`,
      code: 'refused',
    });
    expect(executed).toEqual([]);
    expect((await firstCustomer()).id).toBe(c.id);
  });

  it('expires pending mutations after 10 minutes', async () => {
    const c = await firstCustomer();
    const { mutation_id: id, expires_at } = preview(
      await engine.handleSql(`UPDATE stripe.customers SET name = 'Late' WHERE id = '${c.id}'`),
    );
    expect(Date.parse(expires_at) - clock.now()).toBe(10 * 60_000);
    clock.advance(9 * 60_000);
    expect((await engine.listPending()).map((m) => m.mutation_id)).toContain(id);
    clock.advance(60_000);
    expect((await engine.listPending()).map((m) => m.mutation_id)).not.toContain(id);
    expect(await engine.confirm(id)).toEqual({
      error: `Mutation '${id}' is expired, not pending`,
      code: 'refused',
    });
    expect(executed).toEqual([]);
  });

  it('records every mutation in _dinobase.mutations with its SQL, preview, status, results and times', async () => {
    const c = await firstCustomer();
    const sql = `UPDATE stripe.customers SET name = 'Audited' WHERE id = '${c.id}'`;
    const { mutation_id: id } = preview(await engine.handleSql(`${sql};`));
    await engine.confirm(id);
    const [record] = (await engine.history({ limit: 1 })).filter((m) => m.mutation_id === id);
    expect(record).toMatchObject({
      mutation_id: id,
      connector_name: 'stripe',
      table_name: 'customers',
      operation: 'UPDATE',
      sql_text: sql,
      status: 'executed',
      error_message: null,
      result: { status: 'executed', api_write_back: { succeeded: 1 } },
    });
    expect(record!.preview?.changes?.[0]).toMatchObject({ id: c.id });
    expect(record!.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(record!.executed_at).not.toBeNull();
  });
});

describe('the query path', () => {
  it('routes UPDATE typed as a query to a preview, and a refused one to an error result', async () => {
    const queries = new QueryEngine(db, { mutations: engine });
    const c = await firstCustomer();
    const routed = await queries.execute(`UPDATE stripe.customers SET name = 'Q' WHERE id = '${c.id}'`);
    expect(routed).toMatchObject({ status: 'pending_confirmation', preview: { operation: 'UPDATE' } });
    const refused = await queries.execute(`DELETE FROM stripe.customers`);
    expect(isErrorResult(refused) && refused.error).toBe(
      'DELETE without WHERE clause is not allowed. Specify which rows to delete.',
    );
  });
});

describe('--force', () => {
  it('executes at once for the library (handleSql, execute), the preview still stored and audited', async () => {
    const c = await firstCustomer();
    const forced = await engine.handleSql(
      `UPDATE stripe.customers SET name = 'Forced' WHERE id = '${c.id}' --force`,
    );
    expect(forced).toMatchObject({ status: 'executed', operation: 'UPDATE', source: 'stripe' });
    const id = (forced as { mutation_id: string }).mutation_id;
    const record = await engine.get(id);
    expect(record).toMatchObject({
      status: 'executed',
      sql_text: `UPDATE stripe.customers SET name = 'Forced' WHERE id = '${c.id}'`,
    });
    expect(record!.preview?.operation).toBe('UPDATE');
    expect(executed).toHaveLength(1);
    const queries = new QueryEngine(db, { mutations: engine });
    const batch = await queries.execute(
      `UPDATE stripe.customers SET name = 'A' WHERE id = '${c.id}'; DELETE FROM stripe.customers WHERE id = '${c.id}' --force`,
    );
    expect(batch).toMatchObject({ status: 'batch_executed', total: 2, succeeded: 2 });
  });

  it('only previews where confirming is not allowed, says so, and records the client', async () => {
    const c = await firstCustomer();
    const result = preview(
      await engine.handleSql(`UPDATE stripe.customers SET name = 'Wait' WHERE id = '${c.id}' --force`, {
        allowForce: false,
        client: 'cursor',
      }),
    );
    expect(result.message).toContain('--force was not applied');
    expect(executed).toHaveLength(0);
    expect(await engine.get(result.mutation_id)).toMatchObject({ status: 'pending', client: 'cursor' });
    // The editor's path (the grid form) never forces: the review panel opens for a person's click.
    const queries = new QueryEngine(db, { mutations: engine });
    const grid = await queries.executeArrow(
      `UPDATE stripe.customers SET name = 'Grid' WHERE id = '${c.id}' --force`,
    );
    expect(grid).toMatchObject({ status: 'pending_confirmation' });
    expect(executed).toHaveLength(0);
  });
});
