// Team data pulls against bad input at the real proxy on loopback: a manifest that breaks the contract, a dataset
// name that tries to leave the publish root, and the proxy going away mid-pull. Each keeps the tab's previous tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryTarget } from '../proxy/datasets/dir-target.ts';
import { startServer, type RunningServer } from '../proxy/server.ts';
import type { EngineApi, SyncProgress } from '../worker/api.ts';
import { createEngineService } from '../worker/service.ts';
import { memoryDB } from '../worker/testing.ts';
import { portOf } from './probe-kit.ts';
import { closeFixtureWriter, publishFixture, type FixtureTable } from './team-kit.ts';

const V1 = 'v20261204T173000Z-3f2a9c1b';
const V2 = 'v20261204T183000Z-aa11bb22';
const tables = (label: string, customers: number): FixtureTable[] => [
  {
    name: 'customers',
    sql: `SELECT 'cus_' || i AS id, '${label} ' || i AS name FROM range(${customers}) t(i)`,
  },
  { name: 'invoices', sql: `SELECT 'in_' || i AS id, ${customers} AS total FROM range(5) t(i)` },
];

const home = mkdtempSync(join(tmpdir(), 'dinobase-team-faults-'));
const root = join(home, 'published');
const manifestPath = join(root, 'stripe', 'manifest.json');
let server: RunningServer;
let tab: EngineApi;
/** The proxy's close, once a test started it: requests sent after that wait for it, so none races the close. */
let closing: Promise<void> | null = null;

const serve = (port = 0) => startServer({ port, sandbox: false, home, datasets: new DirectoryTarget(root) });
const value = async (sql: string) => {
  const result = await tab.execute({ sql });
  if (!('rows' in result)) throw new Error(`${sql} failed: ${JSON.stringify(result)}`);
  return result.rows[0]?.v;
};
/** What the tab holds of the first publish: 3 customers named "v1 …", invoices totalling 3 each. */
async function expectFirstVersion(): Promise<void> {
  expect(await value('SELECT count(*)::INT AS v FROM stripe.customers')).toBe(3);
  expect(await value("SELECT name AS v FROM stripe.customers WHERE id = 'cus_2'")).toBe('v1 2');
  expect(await value('SELECT DISTINCT total::INT AS v FROM stripe.invoices')).toBe(3);
  const { sources } = await tab.listSources();
  expect(sources.find((s) => s.name === 'stripe')?.team?.version).toBe(V1);
}

/** A refresh that fails, says the previous data stands, and leaves the first version in place; its error. */
async function expectFailedRefresh(): Promise<string> {
  const result = await tab.sync({ name: 'stripe' });
  expect(result).toMatchObject({ status: 'error', tables_synced: 0 });
  expect(result.error).toMatch(/Previous data is unchanged/);
  await expectFirstVersion();
  return result.error ?? '';
}

beforeAll(async () => {
  await publishFixture(root, { source: 'stripe', version: V1, tables: tables('v1', 3) });
  server = await serve();
  tab = createEngineService({
    db: memoryDB(),
    relay: { origin: server.url },
    fetch: async (input, init) => {
      await closing;
      return globalThis.fetch(input, init);
    },
  });
  await tab.open();
  const [pulled] = await tab.pullTeamData({ selections: [{ source: 'stripe' }] });
  expect(pulled).toMatchObject({ status: 'success', tables_synced: 2 });
  await expectFirstVersion();
});

afterAll(async () => {
  await tab?.close();
  await server?.close();
  await closeFixtureWriter();
  rmSync(home, { recursive: true, force: true });
});

describe('team data pulls against bad input', () => {
  it('a manifest that breaks dinobase-dataset/1 fails the pull clearly and keeps the previous tables', async () => {
    const good = await readFile(manifestPath, 'utf8');
    const v1 = JSON.parse(good) as { version: string; tables: { files: { sha256: string }[] }[] };
    // A new version (so no 304) whose file hash is not a sha256.
    v1.version = V2;
    v1.tables[0]!.files[0]!.sha256 = 'not-a-hash';
    await writeFile(manifestPath, JSON.stringify(v1));
    // The proxy does not list a manifest it cannot read, but serves the file as it is.
    expect((await tab.listTeamData()).map((d) => d.source)).toEqual([]);
    const error = await expectFailedRefresh();
    expect(error).toMatch(/sha256/);
    const [last] = await tab.syncHistory({ name: 'stripe', limit: 1 });
    expect(last).toMatchObject({ status: 'error', error });
    await writeFile(manifestPath, good);
  });

  it('a manifest.json that is not JSON (cut short) is a 502 bad_manifest; the pull keeps the previous tables', async () => {
    const good = await readFile(manifestPath, 'utf8');
    await writeFile(manifestPath, good.slice(0, 40));
    const answer = await fetch(`${server.url}/api/datasets/stripe/manifest.json`);
    expect(answer.status).toBe(502);
    expect(await answer.json()).toMatchObject({ code: 'bad_manifest' });
    await expectFailedRefresh();
    await writeFile(manifestPath, good);
  });

  it('a data file changed after publishing (same size, other bytes) fails its sha256 check; nothing changes', async () => {
    const v2 = await publishFixture(root, { source: 'stripe', version: V2, tables: tables('v2', 4) });
    const file = join(root, 'stripe', v2.tables[1]!.files[0]!.path);
    const whole = await readFile(file);
    const tampered = Buffer.from(whole);
    // A byte in the middle of the file, so the Parquet footer and magic still read.
    tampered[tampered.length >> 1]! ^= 0xff;
    await writeFile(file, tampered);
    await expectFailedRefresh();
    await writeFile(file, whole);
  });

  it('a dataset name with "..", slashes or encoded slashes is no published dataset', async () => {
    for (const source of ['..', '../stripe', 'stripe/..', '..%2Fstripe', '%2e%2e', 'a\\..\\stripe']) {
      await expect(tab.pullTeamData({ selections: [{ source }] }), source).rejects.toMatchObject({
        code: 'not_found',
      });
    }
    expect((await tab.getSources()).map((s) => s.name)).toEqual(['stripe']);
    await expectFirstVersion();
  });

  it('the proxy going down mid-pull keeps the previous tables; the pull succeeds once it is back', async () => {
    await publishFixture(root, { source: 'stripe', version: V2, tables: tables('v2', 4) });
    const port = portOf(server.url);
    const onProgress = (p: SyncProgress) => {
      // The first table's file is in: the proxy stops before the second one is asked for.
      if (p.phase === 'fetching') closing ??= server.close();
    };
    const [down] = await tab.pullTeamData({ selections: [{ source: 'stripe' }], onProgress });
    expect(closing).not.toBeNull();
    await closing;
    expect(down).toMatchObject({ status: 'error', tables_synced: 0 });
    expect(down!.error).toMatch(/Previous data is unchanged/);
    await expectFirstVersion();
    expect(
      await value("SELECT count(*)::INT AS v FROM duckdb_tables() WHERE schema_name = '_dinobase_staging'"),
    ).toBe(0);

    closing = null;
    server = await serve(port);
    const back = await tab.sync({ name: 'stripe' });
    expect(back).toMatchObject({ status: 'success', tables_synced: 2 });
    expect(await value("SELECT name AS v FROM stripe.customers WHERE id = 'cus_3'")).toBe('v2 3');
    expect(await value('SELECT DISTINCT total::INT AS v FROM stripe.invoices')).toBe(4);
  });
});
