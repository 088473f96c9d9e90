import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { tableToRows } from '../values.ts';
import { MIGRATIONS, STAGING_SCHEMA, migrate, prepareOnOpen } from './migrations.ts';

const clock = new ManualClock();
let db: DinobaseDB;
let conn: DuckConnection;

beforeAll(async () => {
  // The database only: DinobaseDB's own connection would migrate it first.
  db = memoryDB(clock);
  conn = await (await db.database()).connect();
});
afterAll(async () => {
  await conn.close();
  await db.close();
});

const versions = async () =>
  tableToRows(await conn.query('SELECT version FROM _dinobase.schema_version ORDER BY version')).map((r) =>
    Number(r.version),
  );

describe('migrate', () => {
  it('applies every migration to a fresh database, once, and says how many ran', async () => {
    expect(await migrate(conn, clock)).toBe(MIGRATIONS.length);
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(conn, clock)).toBe(0);
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('applies only the migrations after the recorded version', async () => {
    const last = MIGRATIONS.at(-1)!.version;
    await conn.query(`DELETE FROM _dinobase.schema_version WHERE version = ${last}`);
    expect(await migrate(conn, clock)).toBe(1);
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
  });
});

describe('prepareOnOpen', () => {
  it('drops the staging a sync left behind when its tab died, and leaves a clean database alone', async () => {
    await conn.query(`CREATE SCHEMA ${STAGING_SCHEMA}`);
    await conn.query(`CREATE TABLE ${STAGING_SCHEMA}.stripe__sync9__customers AS SELECT 1 AS id`);
    await prepareOnOpen(conn, clock);
    const schemas = async () =>
      tableToRows(await conn.query('SELECT schema_name FROM duckdb_schemas()')).map((r) => r.schema_name);
    expect(await schemas()).not.toContain(STAGING_SCHEMA);
    await prepareOnOpen(conn, clock);
    expect(await schemas()).toContain('_dinobase');
  });
});
