import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeFixtureWriter, publishFixture, serveDatasets } from '../../test/team-kit.ts';
import type { Upstream } from '../../test/probe-kit.ts';
import type { DinobaseDB } from '../db.ts';
import { memoryDB } from '../testing.ts';
import { TeamEngine } from './engine.ts';

const CUSTOMERS = `SELECT 'cus_' || i AS id, 'user' || i || '@example.com' AS email, i::BIGINT AS n,
  TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE AS created, (i * 1.25)::DECIMAL(12, 2) AS balance,
  i % 3 = 0 AS delinquent, [i, i + 1] AS tags, CASE WHEN i % 5 = 0 THEN NULL ELSE 'x' END AS note
  FROM range(1000) t(i)`;
const INVOICES = `SELECT 'in_' || i AS id, 'cus_' || (i % 1000) AS customer, i * 100 AS amount FROM range(250) t(i)`;

let root: string;
let server: Upstream;
let db: DinobaseDB;
let team: TeamEngine;

const parquetRequests = () => server.seen.filter((s) => s.target.endsWith('.parquet')).length;
const count = async (table: string) => Number((await db.query(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dinobase-team-'));
  await publishFixture(root, {
    source: 'stripe',
    version: 'v20261204T173000Z-3f2a9c1b',
    tables: [
      { name: 'customers', sql: CUSTOMERS },
      { name: 'invoices', sql: INVOICES },
    ],
  });
  server = await serveDatasets(root);
  db = memoryDB();
  team = new TeamEngine(db, { origin: server.origin });
});
afterAll(async () => {
  await server?.close();
  await db?.close();
  await closeFixtureWriter();
});

describe('TeamEngine', () => {
  it('lists the published datasets with their size, rows and tables, and what is pulled here', async () => {
    const [stripe] = await team.listDatasets();
    expect(stripe).toMatchObject({ source: 'stripe', source_type: 'stripe', rows: 1250, pulled: null });
    expect(stripe!.tables.map((t) => [t.name, t.rows])).toEqual([
      ['customers', 1000],
      ['invoices', 250],
    ]);
    expect(stripe!.bytes).toBeGreaterThan(0);
  });

  it('pulls a working set of one table, in the published types, and records it', async () => {
    await team.register({ source: 'stripe', tables: ['customers'] }, 'stripe');
    const progress: string[] = [];
    const result = await team.pull('stripe', ['customers'], {
      onProgress: (p) => progress.push(`${p.resource}:${p.phase}`),
    });
    expect(result).toMatchObject({ status: 'success', tables_synced: 1, rows_synced: 1000, error: null });
    expect(progress).toContain('customers:fetching');
    expect(progress.at(-1)).toBe('customers:done');
    expect(await count('stripe.customers')).toBe(1000);
    const types = await db.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'stripe' AND table_name = 'customers' ORDER BY ordinal_position`,
    );
    expect(types.map((t) => `${t.column_name} ${t.data_type}`)).toEqual([
      'id VARCHAR',
      'email VARCHAR',
      'n BIGINT',
      'created TIMESTAMP',
      'balance DECIMAL(12,2)',
      'delinquent BOOLEAN',
      'tags BIGINT[]',
      'note VARCHAR',
    ]);
    const row = (await db.query(`SELECT * FROM stripe.customers WHERE id = 'cus_5'`))[0]!;
    expect(row).toMatchObject({ n: 5, balance: '6.25', delinquent: false, tags: [5, 6], note: null });
    const recorded = await db.query(`SELECT table_name, version, rows FROM _dinobase.team_tables`);
    expect(recorded).toEqual([
      { table_name: 'customers', version: 'v20261204T173000Z-3f2a9c1b', rows: 1000 },
    ]);
    expect(await team.isTeam('stripe')).toBe(true);
    expect((await db.getSource('stripe'))?.type).toBe('stripe');
  });

  it('downloads no Parquet when the manifest has not changed (304)', async () => {
    const before = parquetRequests();
    const result = await team.pull('stripe', ['customers']);
    expect(result).toMatchObject({ status: 'success', tables_synced: 0 });
    expect(parquetRequests()).toBe(before);
    const last = server.seen.at(-1)!;
    expect(last.target).toBe('/api/datasets/stripe/manifest.json');
    expect(last.headers['if-none-match']).toBe('"v20261204T173000Z-3f2a9c1b"');
  });

  it('widening the working set downloads only the new table; narrowing it drops the table', async () => {
    await team.register({ source: 'stripe', tables: null }, 'stripe');
    const before = server.seen.filter((s) => s.target.endsWith('.parquet')).map((s) => s.target);
    expect(await team.pull('stripe', null)).toMatchObject({ status: 'success', tables_synced: 1 });
    const after = server.seen.filter((s) => s.target.endsWith('.parquet')).map((s) => s.target);
    expect(after.slice(before.length)).toEqual([
      '/api/datasets/stripe/invoices/v20261204T173000Z-3f2a9c1b/part-00000.parquet',
    ]);
    expect(await count('stripe.invoices')).toBe(250);
    await team.register({ source: 'stripe', tables: ['invoices'] }, 'stripe');
    expect(await team.pull('stripe', ['invoices'])).toMatchObject({ status: 'success' });
    const tables = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'stripe'`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(['invoices']);
    await team.register({ source: 'stripe', tables: null }, 'stripe');
    expect(await team.pull('stripe', null)).toMatchObject({ status: 'success', tables_synced: 1 });
  });

  it('a new publish replaces changed tables whole; a truncated file fails the pull and keeps the previous data', async () => {
    const v2 = await publishFixture(root, {
      source: 'stripe',
      version: 'v20261204T183000Z-aa11bb22',
      tables: [
        {
          name: 'customers',
          sql: `${CUSTOMERS} UNION ALL SELECT 'cus_new', 'n@x', -1, NULL, 0, false, [], NULL`,
        },
        { name: 'invoices', sql: INVOICES },
      ],
    });
    const file = join(root, 'stripe', v2.tables[0]!.files[0]!.path);
    const whole = await readFile(file);
    await writeFile(file, whole.subarray(0, whole.byteLength - 200));
    const failed = await team.pull('stripe', null);
    expect(failed.status).toBe('error');
    expect(failed.error).toMatch(
      /customers\/v20261204T183000Z-aa11bb22\/part-00000\.parquet is not the published file/,
    );
    expect(failed.error).toMatch(/Previous data is unchanged/);
    expect(await count('stripe.customers')).toBe(1000);
    expect(
      (await db.query(`SELECT DISTINCT version FROM _dinobase.team_tables`)).map((r) => r.version),
    ).toEqual(['v20261204T173000Z-3f2a9c1b']);
    expect(
      await db.query(
        `SELECT schema_name FROM duckdb_schemas() WHERE schema_name = '_dinobase_staging' AND (SELECT count(*) FROM duckdb_tables() WHERE schema_name = '_dinobase_staging') > 0`,
      ),
    ).toEqual([]);

    // A file that matches its (wrong) hash but is not Parquet: the decoder refuses it, nothing changes either.
    const manifestPath = join(root, 'stripe', 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as typeof v2;
    const { createHash } = await import('node:crypto');
    const cut = whole.subarray(0, whole.byteLength - 200);
    manifest.tables[0]!.files[0]!.sha256 = createHash('sha256').update(cut).digest('hex');
    manifest.tables[0]!.files[0]!.bytes = cut.byteLength;
    await writeFile(manifestPath, JSON.stringify(manifest));
    const corrupt = await team.pull('stripe', null);
    expect(corrupt.status).toBe('error');
    expect(await count('stripe.customers')).toBe(1000);

    await writeFile(file, whole);
    await writeFile(manifestPath, JSON.stringify(v2));
    const parquetBefore = parquetRequests();
    const ok = await team.pull('stripe', null);
    expect(ok).toMatchObject({ status: 'success', rows_synced: 1001 });
    expect(await count('stripe.customers')).toBe(1001);
    // invoices is byte-identical in the new version: its content hash matched, so it was not downloaded.
    expect(parquetRequests() - parquetBefore).toBe(ok.tables_synced);
  });

  it('a cancelled pull keeps the previous data and says so', async () => {
    await publishFixture(root, {
      source: 'stripe',
      version: 'v20261204T193000Z-cc33dd44',
      tables: [{ name: 'customers', sql: `${CUSTOMERS} LIMIT 10` }],
    });
    const controller = new AbortController();
    const result = await team.pull('stripe', null, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'fetching') controller.abort(new Error('stop'));
      },
    });
    expect(result).toMatchObject({ status: 'cancelled' });
    expect(result.error).toMatch(/Previous data is unchanged/);
    expect(await count('stripe.customers')).toBe(1001);
  });

  it('refuses to take over a source synced from the vendor, and an unknown table names what exists', async () => {
    await db.addSource({ name: 'hubspot', type: 'hubspot' });
    await db.query('CREATE SCHEMA hubspot');
    await db.query('CREATE TABLE hubspot.contacts AS SELECT 1 AS id');
    await expect(team.register({ source: 'hubspot' }, 'hubspot')).rejects.toThrow(/synced here from hubspot/);
    expect(await count('hubspot.contacts')).toBe(1);
    // Registered (as the UI does for the server's sources) but never synced: nothing to lose, taken over.
    await db.addSource({ name: 'linear', type: 'linear' });
    await expect(team.register({ source: 'linear' }, 'hubspot')).rejects.toThrow(/synced here from linear/);
    await team.register({ source: 'linear' }, 'linear');
    expect(await team.isTeam('linear')).toBe(true);
    await db.removeSource('linear');
    const result = await team.pull('stripe', ['nope']);
    expect(result.error).toMatch(/publishes no table 'nope' \(it has customers\)/);
  });

  it('registers a source already marked as team data, so a scheduler never syncs it from the vendor', async () => {
    const add = vi.spyOn(db, 'addSource');
    const teamWhenListed: boolean[] = [];
    add.mockImplementation(async (config) => {
      teamWhenListed.push(await team.isTeam(config.name));
      add.mockRestore();
      return db.addSource(config);
    });
    await team.register({ source: 'github' }, 'github');
    expect(teamWhenListed).toEqual([true]);
    await db.removeSource('github');
    // A registration refused before or while the source is written leaves no mark behind.
    await expect(team.register({ source: 'github', interval: 'often' }, 'github')).rejects.toThrow(
      /Invalid sync interval 'often'/,
    );
    expect(await team.isTeam('github')).toBe(false);
    vi.spyOn(db, 'addSource').mockRejectedValueOnce(new Error('disk full'));
    await expect(team.register({ source: 'github' }, 'github')).rejects.toThrow('disk full');
    expect(await team.isTeam('github')).toBe(false);
    expect(await db.getSource('github')).toBeNull();
  });

  it('a removed team source is team data no more; removing it with its data forgets what was pulled', async () => {
    await db.removeSource('stripe');
    expect(await team.isTeam('stripe')).toBe(false);
    await team.register({ source: 'stripe' }, 'stripe');
    await db.removeSource('stripe', { dropData: true });
    expect(await db.query(`SELECT * FROM _dinobase.team_tables`)).toEqual([]);
    expect(await team.isTeam('stripe')).toBe(false);
  });
});
