// Saved queries on both drivers: create, overwrite, search, rename, duplicate, delete, the errors, and a backup round trip.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi } from '../api.ts';
import { DinobaseDB } from '../db.ts';
import { openWith } from '../duckdb/node.ts';
import { ConfigError } from '../errors.ts';
import { QueryEngine } from '../query/engine.ts';
import { createEngineService } from '../service.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { SAVED_NAME_MAX, copyName } from './saved.ts';

const clock = new ManualClock(Date.UTC(2026, 3, 1, 9));
let db: DinobaseDB;
let engine: EngineApi;

beforeAll(async () => {
  db = memoryDB(clock);
  engine = createEngineService({ db });
  await engine.open();
});
afterAll(() => engine.close());

/** The rejection of `call`, asserting it is a ConfigError with `code`. */
async function refusal(call: Promise<unknown>, code: string): Promise<string> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toMatchObject({ code });
  return (error as Error).message;
}

describe('saved queries', () => {
  it('saves a query with the clock’s timestamps, and refuses the same name without overwrite', async () => {
    const saved = await engine.saveQuery({
      name: '  Revenue by month ',
      sql: 'SELECT 1 AS revenue',
      description: 'Monthly',
    });
    expect(saved).toEqual({
      name: 'Revenue by month',
      sql: 'SELECT 1 AS revenue',
      description: 'Monthly',
      created_at: '2026-04-01T09:00:00.000Z',
      updated_at: '2026-04-01T09:00:00.000Z',
    });
    const message = await refusal(
      engine.saveQuery({ name: 'Revenue by month', sql: 'SELECT 2' }),
      'would_replace',
    );
    expect(message).toContain("'Revenue by month' already exists");
    expect((await engine.getSavedQuery({ name: 'Revenue by month' })).sql).toBe('SELECT 1 AS revenue');
  });

  it('overwrites when asked: new SQL and updated_at, created_at and the description kept', async () => {
    clock.advance(60_000);
    const saved = await engine.saveQuery({ name: 'Revenue by month', sql: 'SELECT 2', overwrite: true });
    expect(saved).toMatchObject({
      sql: 'SELECT 2',
      description: 'Monthly',
      created_at: '2026-04-01T09:00:00.000Z',
      updated_at: '2026-04-01T09:01:00.000Z',
    });
    const cleared = await engine.saveQuery({
      name: 'Revenue by month',
      sql: 'SELECT 2',
      description: null,
      overwrite: true,
    });
    expect(cleared.description).toBeNull();
  });

  it('validates names, SQL and descriptions, naming the bad value, and stores nothing', async () => {
    const before = await engine.listSavedQueries({});
    await refusal(engine.saveQuery({ name: '   ', sql: 'SELECT 1' }), 'invalid_argument');
    expect(
      await refusal(
        engine.saveQuery({ name: 'x'.repeat(SAVED_NAME_MAX + 1), sql: 'SELECT 1' }),
        'invalid_argument',
      ),
    ).toContain(`the limit is ${SAVED_NAME_MAX}`);
    expect(await refusal(engine.saveQuery({ name: 'a\nb', sql: 'SELECT 1' }), 'invalid_argument')).toContain(
      '"a\\nb"',
    );
    expect(await refusal(engine.saveQuery({ name: 'empty', sql: '  ' }), 'invalid_argument')).toContain(
      "'empty'",
    );
    await refusal(
      engine.saveQuery({ name: 'huge', sql: `SELECT '${'x'.repeat(1024 * 1024)}'` }),
      'invalid_argument',
    );
    expect(await engine.listSavedQueries({})).toEqual(before);
  });

  it('lists by name and searches name or SQL, in any case; a quote in the search is only text', async () => {
    await engine.saveQuery({
      name: 'churned customers',
      sql: 'SELECT * FROM stripe.customers WHERE churned',
    });
    await engine.saveQuery({ name: 'Open deals', sql: "SELECT * FROM hubspot.deals WHERE stage = 'open'" });
    const names = async (search?: string) => (await engine.listSavedQueries({ search })).map((q) => q.name);
    expect(await names()).toEqual(['churned customers', 'Open deals', 'Revenue by month']);
    expect(await names('DEALS')).toEqual(['Open deals']);
    expect(await names('stripe')).toEqual(['churned customers']);
    expect(await names("'open'")).toEqual(['Open deals']);
    expect(await names("x' OR 1=1 --")).toEqual([]);
  });

  it('renames, refusing a missing source or a taken target', async () => {
    clock.advance(60_000);
    const renamed = await engine.renameSavedQuery({ from: 'Open deals', to: 'Open deals (HubSpot)' });
    expect(renamed).toMatchObject({ name: 'Open deals (HubSpot)', updated_at: '2026-04-01T09:02:00.000Z' });
    expect(renamed.sql).toContain('hubspot.deals');
    expect(await refusal(engine.getSavedQuery({ name: 'Open deals' }), 'not_found')).toBe(
      "No saved query named 'Open deals'.",
    );
    await refusal(engine.renameSavedQuery({ from: 'nope', to: 'other' }), 'not_found');
    const message = await refusal(
      engine.renameSavedQuery({ from: 'Open deals (HubSpot)', to: 'Revenue by month' }),
      'would_replace',
    );
    expect(message).toContain("'Revenue by month'");
    expect((await engine.getSavedQuery({ name: 'Revenue by month' })).sql).toBe('SELECT 2');
  });

  it('duplicates as "(copy)", then "(copy 2)", shortening a long name to fit', async () => {
    const first = await engine.duplicateSavedQuery({ name: 'churned customers' });
    const second = await engine.duplicateSavedQuery({ name: 'churned customers' });
    expect([first.name, second.name]).toEqual(['churned customers (copy)', 'churned customers (copy 2)']);
    expect(second.sql).toBe('SELECT * FROM stripe.customers WHERE churned');
    const long = 'y'.repeat(SAVED_NAME_MAX);
    await engine.saveQuery({ name: long, sql: 'SELECT 3' });
    const copy = await engine.duplicateSavedQuery({ name: long });
    expect(copy.name).toBe(copyName(long, 1));
    expect(copy.name).toHaveLength(SAVED_NAME_MAX);
    await refusal(engine.duplicateSavedQuery({ name: 'missing' }), 'not_found');
  });

  it('deletes, returning what it deleted; a second delete is not_found', async () => {
    const deleted = await engine.deleteSavedQuery({ name: 'churned customers (copy 2)' });
    expect(deleted.name).toBe('churned customers (copy 2)');
    await refusal(engine.deleteSavedQuery({ name: 'churned customers (copy 2)' }), 'not_found');
    expect((await engine.listSavedQueries({ search: 'copy 2' })).length).toBe(0);
  });

  it('is readable by SQL but never writable by it: the classifier refuses writes to _dinobase', async () => {
    const queries = new QueryEngine(db);
    const read = await queries.execute(
      "SELECT sql FROM _dinobase.saved_queries WHERE name = 'Revenue by month'",
    );
    expect(read).toMatchObject({ rows: [{ sql: 'SELECT 2' }] });
    const write = await queries.execute(
      "DELETE FROM _dinobase.saved_queries WHERE name = 'Revenue by month'",
    );
    expect(write).toMatchObject({ error: expect.stringMatching(/_dinobase/) });
    expect((await engine.getSavedQuery({ name: 'Revenue by month' })).sql).toBe('SELECT 2');
  });
});

describe('saved queries in a backup', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dinobase-saved-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('survive backup → restore into another database', async () => {
    const path = join(dir, 'source.duckdb');
    // A file database (native DuckDB writes the same format as the browser), backed up by the real path.
    const source = createEngineService({
      db: new DinobaseDB(path, { open: openWith('native'), clock }),
      files: {
        name: 'source.duckdb',
        read: async () => new Uint8Array(readFileSync(path)),
        remove: async () => {},
      },
    });
    await source.open();
    await source.saveQuery({ name: 'Kept', sql: 'SELECT 42 AS answer', description: 'survives' });
    const backup = await source.backup();
    await source.close();
    const target = createEngineService({ db: memoryDB(clock) });
    try {
      await target.restore({ bytes: backup.bytes });
      expect(await target.listSavedQueries({})).toEqual([
        expect.objectContaining({ name: 'Kept', sql: 'SELECT 42 AS answer', description: 'survives' }),
      ]);
      // Still writable through the methods after the restore.
      await target.renameSavedQuery({ from: 'Kept', to: 'Kept too' });
      expect((await target.getSavedQuery({ name: 'Kept too' })).sql).toBe('SELECT 42 AS answer');
    } finally {
      await target.close();
    }
  });
});
