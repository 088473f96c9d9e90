// The original's mutation lifecycle (dinobase-behaviour.md §3), ported: confirm, cancel, expiry, the audit log, --force.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toSqlTimestamp } from '../clock.ts';
import { DinobaseDB } from '../db.ts';
import { openWith } from '../duckdb/node.ts';
import { insertPending } from '../mutations/store.ts';
import { ManualClock } from '../testing.ts';
import { QueryEngine, isErrorResult } from './engine.ts';
import { MutationEngine } from './mutations.ts';
import { clock, db, engine, executed, firstCustomer, mutationSuite, preview } from './mutations-kit.ts';

mutationSuite();

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

// Native DuckDB only: DuckDB-WASM in Node keeps databases in memory, so it has no file to open read-only.
describe('on a read-only database', () => {
  it('lists pending mutations and the history though it cannot record the expiry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dinobase-readonly-'));
    const path = join(dir, 'dinobase.duckdb');
    const at = new ManualClock(Date.UTC(2026, 5, 1, 12));
    try {
      const writer = new DinobaseDB(path, { clock: at, open: openWith('native') });
      for (const [id, ttl] of [
        ['mut_00000000000a', 60_000],
        ['mut_00000000000b', 600_000],
      ] as const) {
        await insertPending(writer, {
          mutation_id: id,
          connector_name: 'stripe',
          table_name: 'customers',
          operation: 'UPDATE',
          sql_text: `UPDATE stripe.customers SET name = '${id}' WHERE id = 'cus_1'`,
          preview: '{"operation":"UPDATE"}',
          created_at: writer.now(),
          plan: '{}',
          expires_at: toSqlTimestamp(at.now() + ttl),
          batch_id: null,
          client: null,
        });
      }
      await writer.close();
      at.advance(5 * 60_000);
      const reader = new DinobaseDB(path, { clock: at, open: openWith('native'), readOnly: true });
      try {
        const mutations = new MutationEngine(reader, { clock: at });
        await expect(reader.run(`UPDATE _dinobase.mutations SET status = 'x'`)).rejects.toThrow(/read-only/i);
        expect((await mutations.listPending()).map((m) => m.mutation_id)).toEqual(['mut_00000000000b']);
        expect((await mutations.history()).map((m) => [m.mutation_id, m.status])).toEqual([
          ['mut_00000000000b', 'pending'],
          ['mut_00000000000a', 'expired'],
        ]);
        expect(await mutations.get('mut_00000000000a')).toMatchObject({ status: 'expired' });
      } finally {
        await reader.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
