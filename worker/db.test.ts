import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DinobaseDB } from './db.ts';
import { openWith } from './duckdb/node.ts';
import { QueryError } from './errors.ts';
import { MIGRATIONS } from './meta/migrations.ts';
import { ManualClock, memoryDB } from './testing.ts';

const clock = new ManualClock(Date.UTC(2026, 2, 1, 10, 30));
let db: DinobaseDB;

beforeAll(async () => {
  db = memoryDB(clock);
  await db.run('CREATE SCHEMA crm');
  await db.run('CREATE TABLE crm.deals (id VARCHAR NOT NULL, amount DOUBLE, stage VARCHAR)');
  await db.run("INSERT INTO crm.deals VALUES ('1', 10.5, 'won'), ('2', NULL, 'lost')");
  await db.run('CREATE SCHEMA empty_schema');
});
afterAll(() => db.close());

describe('DinobaseDB', () => {
  it('creates the _dinobase schema idempotently on first access, with a version', async () => {
    const rows = await db.query('SELECT version FROM _dinobase.schema_version');
    expect(rows).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
    const tables = await db.getTables('_dinobase');
    expect(tables).toEqual(
      expect.arrayContaining([
        'sync_log',
        'tables',
        'columns',
        'mutations',
        'relationships',
        'metadata',
        'sources',
        'sync_state',
        'agent_log',
        'saved_queries',
        'files',
        'team_sources',
        'team_tables',
      ]),
    );
    // A second DinobaseDB on the same database must not re-run the migration.
    const again = new DinobaseDB(':memory:', { open: async () => db.database() });
    await again.conn;
    expect(await again.query('SELECT count(*) AS n FROM _dinobase.schema_version')).toEqual([
      { n: MIGRATIONS.length },
    ]);
  });

  it('query returns row objects with JSON-safe values; queryRaw returns columns and arrays', async () => {
    expect(await db.query('SELECT * FROM crm.deals ORDER BY id')).toEqual([
      { id: '1', amount: 10.5, stage: 'won' },
      { id: '2', amount: null, stage: 'lost' },
    ]);
    expect(await db.query('SELECT count(*) AS n FROM crm.deals')).toEqual([{ n: 2 }]);
    expect(await db.queryRaw('SELECT id, stage FROM crm.deals ORDER BY id')).toEqual([
      ['id', 'stage'],
      [
        ['1', 'won'],
        ['2', 'lost'],
      ],
    ]);
    expect(await db.query('SELECT ? AS a, ? AS b', ['x', 2])).toEqual([{ a: 'x', b: 2 }]);
  });

  it('lists user schemas without the internal ones', async () => {
    const schemas = await db.getSchemas();
    expect(schemas).toContain('crm');
    expect(schemas).toContain('empty_schema');
    for (const internal of ['information_schema', 'pg_catalog', 'main', '_dinobase'])
      expect(schemas).not.toContain(internal);
  });

  it('lists tables and columns, and returns empty lists for missing ones', async () => {
    expect(await db.getTables('crm')).toEqual(['deals']);
    expect(await db.getTables('empty_schema')).toEqual([]);
    expect(await db.getTables('nope')).toEqual([]);
    expect(await db.getColumns('crm', 'deals')).toEqual([
      { column_name: 'id', data_type: 'VARCHAR', is_nullable: 'NO' },
      { column_name: 'amount', data_type: 'DOUBLE', is_nullable: 'YES' },
      { column_name: 'stage', data_type: 'VARCHAR', is_nullable: 'YES' },
    ]);
    expect(await db.getColumns('crm', 'missing')).toEqual([]);
  });

  it('counts rows and names the missing table', async () => {
    expect(await db.getRowCount('crm', 'deals')).toBe(2);
    await expect(db.getRowCount('crm', 'missing')).rejects.toThrow(QueryError);
    await expect(db.getRowCount('crm', 'missing')).rejects.toThrow('Table "crm.missing" does not exist.');
  });

  it('logs syncs with ids from a sequence that are never reused', async () => {
    const first = await db.logSyncStart('crm', 'hubspot');
    const second = await db.logSyncStart('crm', 'hubspot');
    expect(second).toBe(first + 1);
    await db.run('DELETE FROM _dinobase.sync_log WHERE id = ?', [second]);
    const third = await db.logSyncStart('crm', 'hubspot');
    expect(third).toBe(second + 1);
    clock.advance(5000);
    await db.logSyncEnd(third, 'success', { tablesSynced: 4, rowsSynced: 1255 });
    await db.logSyncEnd(first, 'error', { errorMessage: 'API rate limited' });
    const rows = await db.query(
      'SELECT id, status, tables_synced, rows_synced, error_message, started_at, finished_at FROM _dinobase.sync_log ORDER BY id',
    );
    expect(rows).toEqual([
      {
        id: first,
        status: 'error',
        tables_synced: 0,
        rows_synced: 0,
        error_message: 'API rate limited',
        started_at: '2026-03-01 10:30:00',
        finished_at: '2026-03-01 10:30:05',
      },
      {
        id: third,
        status: 'success',
        tables_synced: 4,
        rows_synced: 1255,
        error_message: null,
        started_at: '2026-03-01 10:30:00',
        finished_at: '2026-03-01 10:30:05',
      },
    ]);
    expect(await db.getLastSync('crm')).toBe(Date.UTC(2026, 2, 1, 10, 30, 5));
    expect(await db.getLastSync('never')).toBeNull();
  });

  it('refreshes table metadata from the live schema and merges annotations without erasing them', async () => {
    await db.updateTableMetadata('crm', 'crm', {
      deals: {
        amount: { description: 'Deal value', note: 'In dollars' },
        stage: { description: 'Pipeline stage' },
      },
    });
    expect(await db.getColumnAnnotations('crm', 'deals')).toEqual({
      amount: { description: 'Deal value', note: 'In dollars' },
      stage: { description: 'Pipeline stage', note: null },
    });
    // null annotations (or none) never erase stored ones; new values replace them
    await db.updateTableMetadata('crm', 'crm', { deals: { amount: { description: null, note: 'USD' } } });
    await db.updateTableMetadata('crm', 'crm');
    expect(await db.getColumnAnnotations('crm', 'deals')).toEqual({
      amount: { description: 'Deal value', note: 'USD' },
      stage: { description: 'Pipeline stage', note: null },
    });
    // a new column appears, a dropped one disappears, row counts follow the data
    await db.run('ALTER TABLE crm.deals ADD COLUMN owner VARCHAR');
    await db.run('ALTER TABLE crm.deals DROP COLUMN stage');
    await db.run("INSERT INTO crm.deals VALUES ('3', 1, 'ann')");
    await db.updateTableMetadata('crm', 'crm');
    const columns = await db.query(
      "SELECT column_name, column_type, is_nullable FROM _dinobase.columns WHERE schema_name = 'crm' ORDER BY column_name",
    );
    expect(columns).toEqual([
      { column_name: 'amount', column_type: 'DOUBLE', is_nullable: true },
      { column_name: 'id', column_type: 'VARCHAR', is_nullable: false },
      { column_name: 'owner', column_type: 'VARCHAR', is_nullable: true },
    ]);
    expect(
      await db.query("SELECT row_count, last_sync FROM _dinobase.tables WHERE schema_name = 'crm'"),
    ).toEqual([{ row_count: 3, last_sync: expect.stringMatching(/^2026-03-01 10:30:0\d$/) }]);
    expect(await db.getColumnAnnotations('crm', 'nope')).toEqual({});
  });

  it('forgets tables that no longer exist and ignores loader tables', async () => {
    await db.run('CREATE TABLE crm._dlt_loads (x INTEGER)');
    await db.run('CREATE TABLE crm.tmp (x INTEGER)');
    await db.updateTableMetadata('crm', 'crm');
    await db.run('DROP TABLE crm.tmp');
    await db.updateTableMetadata('crm', 'crm');
    const tables = await db.query("SELECT table_name FROM _dinobase.tables WHERE schema_name = 'crm'");
    expect(tables).toEqual([{ table_name: 'deals' }]);
  });

  it('rolls a failed transaction back', async () => {
    await expect(
      db.transaction(async (conn) => {
        await conn.query("INSERT INTO crm.deals VALUES ('9', 9, 'x')");
        await conn.query('SELECT * FROM crm.nope');
      }),
    ).rejects.toThrow(/nope/);
    expect(await db.getRowCount('crm', 'deals')).toBe(3);
  });

  it('keeps the session free of extension downloads and fails fast on extension functions', async () => {
    // Neither DuckDB build includes sqlite_scanner; the json difference is in duckdb/parity.test.ts.
    await expect(db.query(`SELECT * FROM sqlite_scan('x.db', 't')`)).rejects.toMatchObject({
      code: 'extension_unavailable',
      message: expect.stringMatching(/sqlite_scanner extension.*not available/s),
    });
  });

  it('refuses a file with DuckDB-WASM in Node, which keeps databases in memory only', async () => {
    const fileDb = new DinobaseDB('/tmp/x.duckdb', { open: openWith('wasm') });
    await expect(fileDb.conn).rejects.toThrow(/in memory only/);
  });
});
