// Removing a source with its data: no state about it stays in `_dinobase`, only its history, and other sources keep theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { annotate } from '../semantic/annotate.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { markSample } from './origin.ts';
import { insertPending } from '../mutations/store.ts';
import { toSqlTimestamp } from '../clock.ts';

/** The logs: what happened stays recorded after a source is gone (Delete data adds its own `deleted` entry). */
const HISTORY = ['sync_log', 'mutations', 'mutation_rows', 'agent_log', 'schema_version'];

const clock = new ManualClock(Date.UTC(2026, 3, 1, 9));
let db: DinobaseDB;

/** Per `_dinobase` table outside HISTORY, how many rows hold `value` in any text column. */
async function rowsNaming(value: string): Promise<Record<string, number>> {
  const columns = await db.query(
    `SELECT table_name, list(column_name ORDER BY column_index) AS cols FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = '_dinobase' AND data_type = 'VARCHAR'
     GROUP BY table_name ORDER BY table_name`,
  );
  const out: Record<string, number> = {};
  for (const { table_name, cols } of columns) {
    const table = String(table_name);
    if (HISTORY.includes(table)) continue;
    const names = (cols as string[]).map((c) => `"${c}"`).join(', ');
    const [row] = await db.query(`SELECT count(*) AS n FROM _dinobase."${table}" WHERE ? IN (${names})`, [
      value,
    ]);
    out[table] = Number(row?.n);
  }
  return out;
}

/** A source as a sync and `annotate` leave it: registered, tables and catalog, cursor, notes, tags, an edge. */
async function addSynced(name: string): Promise<void> {
  await db.addSource({ name, type: 'stripe', sync_interval: '1h' });
  await db.run(`CREATE SCHEMA ${name}`);
  await db.run(`CREATE TABLE ${name}.customers (id VARCHAR, email VARCHAR)`);
  await db.run(`CREATE TABLE ${name}.charges (id VARCHAR, customer VARCHAR)`);
  await db.run(`INSERT INTO ${name}.customers VALUES ('c1', 'a@example.com')`);
  await db.updateTableMetadata(name, name, { customers: { email: { description: 'Billing email' } } });
  await db.run(
    `INSERT INTO _dinobase.sync_state VALUES (?, 'customers', '"2026-03-01"', NULL, TIMESTAMP '2026-03-01')`,
    [name],
  );
  const id = await db.logSyncStart(name, 'stripe');
  await db.logSyncEnd(id, 'success', { tablesSynced: 2, rowsSynced: 1 });
  await annotate(db, { target: `${name}.customers`, key: 'description', value: 'Paying customers' });
  await annotate(db, { target: `${name}.customers.email`, key: 'note', value: 'Lower-cased' });
  await annotate(db, { target: `${name}.customers.email`, key: 'pii', value: 'true' });
  await db.exclusive((conn) => markSample(conn, name, db.now()));
  await link(`${name}.charges`, 'customer', `${name}.customers`, 'id');
}

function link(from: string, fromColumn: string, to: string, toColumn: string) {
  return annotate(db, {
    from_table: from,
    from_column: fromColumn,
    to_table: to,
    to_column: toColumn,
    cardinality: 'many_to_one',
    description: 'Same customer',
  });
}

beforeAll(async () => {
  db = memoryDB(clock);
  await addSynced('shop');
  await addSynced('crm');
  // Edges both ways between the two sources, so either end is checked.
  await link('shop.customers', 'email', 'crm.customers', 'email');
  await link('crm.customers', 'email', 'shop.customers', 'email');
  await insertPending(db, {
    mutation_id: 'mut_000000000001',
    connector_name: 'shop',
    table_name: 'customers',
    operation: 'UPDATE',
    sql_text: "UPDATE shop.customers SET email = 'b@example.com' WHERE id = 'c1'",
    preview: '{}',
    created_at: db.now(),
    plan: '{}',
    expires_at: toSqlTimestamp(clock.now() + 600_000),
    batch_id: null,
    client: null,
  });
});
afterAll(() => db.close());

describe('removeSource with dropData', () => {
  it('leaves nothing about the source in _dinobase but its history; the other source keeps its own', async () => {
    const before = await rowsNaming('shop');
    expect(before).toMatchObject({ sources: 1, tables: 2, columns: 4, sync_state: 1, relationships: 3 });
    expect(before.metadata).toBeGreaterThan(0);
    const crmBefore = await rowsNaming('crm');

    expect(await db.removeSource('shop', { dropData: true })).toBe(true);

    const after = await rowsNaming('shop');
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    expect(await db.getSchemas()).not.toContain('shop');
    // Its history says the data went.
    expect(
      await db.query(`SELECT status FROM _dinobase.sync_log WHERE connector_name = 'shop' ORDER BY id`),
    ).toEqual([{ status: 'success' }, { status: 'deleted' }]);
    // A preview of a write to it can no longer be confirmed; the audit log keeps it.
    expect(await db.query(`SELECT status FROM _dinobase.mutations WHERE connector_name = 'shop'`)).toEqual([
      { status: 'cancelled' },
    ]);
    // crm loses only its edges with shop, nothing else.
    expect(await rowsNaming('crm')).toEqual({ ...crmBefore, relationships: crmBefore.relationships! - 2 });
  });
});
