// e2e: database files cross between the browser (DuckDB-WASM) and headless Node (native DuckDB), both ways.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DinobaseDB, QueryEngine, SyncEngine, openWith } from '../../node/index.ts';
import { gotoPage, openApp, restoreFrom, textOf, valueOf, type App } from './browser.ts';

/** What both sides count: per-table rows, and a join that needs both sources' data intact. */
const SAMPLE_COUNTS = {
  customers: 'SELECT count(*) FROM stripe.customers',
  contacts: 'SELECT count(*) FROM hubspot.contacts',
  invoices: 'SELECT count(*) FROM stripe.invoices',
  matched: 'SELECT count(*) FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email',
  tables: `SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('stripe', 'hubspot')`,
};
const LINEAR_COUNTS = {
  issues: 'SELECT count(*) FROM linear.issues',
  teams: 'SELECT count(*) FROM linear.teams',
  per_team: 'SELECT count(DISTINCT team__id) FROM linear.issues',
  tables: `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'linear'`,
  synced: `SELECT count(*) FROM _dinobase.sync_log WHERE connector_name = 'linear' AND status = 'success'`,
};

let app: App;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'dinobase-e2e-exchange-'));

/** The DuckDB release a database file's header names as its writer (bytes 52–84, after the `DUCK` magic). */
function writerOf(path: string): string {
  const header = readFileSync(path).subarray(0, 84);
  expect(header.subarray(8, 12).toString('latin1')).toBe('DUCK');
  return header.toString('latin1', 52, 84).replace(/\0.*$/s, '');
}

/** Each count run headless, on native DuckDB, as strings (the browser's grid shows them so). */
async function countsIn(db: DinobaseDB, queries: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, sql] of Object.entries(queries)) {
    const [row] = await db.query(`SELECT CAST((${sql}) AS VARCHAR) AS n`);
    out[name] = String(row!.n);
  }
  return out;
}

async function countsInBrowser(queries: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, sql] of Object.entries(queries)) out[name] = await valueOf(page, sql);
  return out;
}

const nativeDB = (path: string) => new DinobaseDB(path, { open: openWith('native') });

beforeAll(async () => {
  app = await openApp();
  ({ page } = app);
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('backups cross between the browser and headless Node', () => {
  let browserVersion = '';
  let nativeVersion = '';

  it('run the same DuckDB release on both sides', async () => {
    browserVersion = await valueOf(page, 'SELECT version()');
    const db = nativeDB(':memory:');
    try {
      nativeVersion = String((await db.query('SELECT version() AS v'))[0]!.v);
    } finally {
      await db.close();
    }
    // A bump of one package alone ends here, before any user's file is at stake.
    expect(browserVersion).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(nativeVersion).toBe(browserVersion);
  });

  it('opens the browser’s backup headless, with the same counts', async () => {
    await page.getByRole('button', { name: 'Load sample data' }).click();
    await page.getByTestId('source-stripe').waitFor({ timeout: 60_000 });
    const inBrowser = await countsInBrowser(SAMPLE_COUNTS);
    expect(Number(inBrowser.customers)).toBeGreaterThan(0);
    expect(Number(inBrowser.matched)).toBeGreaterThan(0);

    await gotoPage(page, 'settings');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('backup').click()]);
    const backup = join(dir, 'browser-backup.duckdb');
    await download.saveAs(backup);
    await expect.poll(() => textOf(page, 'storage-notice'), { timeout: 30_000 }).toContain('Backup ready');
    expect(writerOf(backup)).toBe(nativeVersion);

    // Read-only first: a file a user downloads opens without being changed.
    const readOnly = new DinobaseDB(backup, { open: openWith('native'), readOnly: true });
    try {
      expect(await countsIn(readOnly, SAMPLE_COUNTS)).toEqual(inBrowser);
    } finally {
      await readOnly.close();
    }
    // And as the engine's own database: catalog, QueryEngine, the sources as the browser left them.
    const copy = join(dir, 'browser-backup-copy.duckdb');
    copyFileSync(backup, copy);
    const db = nativeDB(copy);
    try {
      expect(await db.getSchemas()).toEqual(expect.arrayContaining(['hubspot', 'stripe']));
      const result = await new QueryEngine(db).execute(`SELECT (${SAMPLE_COUNTS.matched}) AS matched`);
      expect(result).toMatchObject({ rows: [{ matched: Number(inBrowser.matched) }] });
      expect(await countsIn(db, SAMPLE_COUNTS)).toEqual(inBrowser);
    } finally {
      await db.close();
    }
  });

  it('restores a database built headless into the browser, with the same counts', async () => {
    const built = join(dir, 'headless.duckdb');
    const db = nativeDB(built);
    let headless: Record<string, string>;
    try {
      // A real sync, straight to this server's Linear sandbox (no relay: Node holds the key itself).
      const result = await new SyncEngine(db).sync('linear', {
        type: 'linear',
        credentials: { api_key: 'lin_api_dinobase_sandbox' },
        base_url: new URL('/sandbox/linear/', app.server.url).href,
      });
      expect(result).toMatchObject({ status: 'success', error: null });
      headless = await countsIn(db, LINEAR_COUNTS);
      expect(Number(headless.issues)).toBeGreaterThan(0);
      expect(headless.synced).toBe('1');
    } finally {
      await db.close();
    }
    expect(writerOf(built)).toBe(browserVersion);

    const question = await restoreFrom(page, built, /^Restored headless\.duckdb \(linear\)\.$/);
    expect(question).toContain('Replace all data in this browser with "headless.duckdb"');
    await page.getByTestId('source-linear').waitFor({ timeout: 30_000 });
    await gotoPage(page, 'query');
    expect(await countsInBrowser(LINEAR_COUNTS)).toEqual(headless);
    // The restore replaced everything: the sample data is gone.
    expect(
      await valueOf(page, `SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'stripe'`),
    ).toBe('0');
  });
});
