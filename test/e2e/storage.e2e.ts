// e2e: Settings → storage: size and persistence, then backup, clear all data, restore from the downloaded file, reload.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerNextDialog,
  firstCell,
  gotoPage,
  openApp,
  placesOf,
  runSql,
  textOf,
  trackPlaces,
  waitReady,
  type App,
} from './browser.ts';

const JOIN =
  'SELECT count(*) AS matched FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email';

let app: App;
let page: Page;
const downloads = mkdtempSync(join(tmpdir(), 'dinobase-e2e-downloads-'));
let backupPath = '';

let asked = 0;

/** Runs `sql` and waits for its single value (under a fresh column name, so an older grid never answers). */
async function value(sql: string): Promise<string> {
  const alias = `v${++asked}`;
  await runSql(page, `SELECT (${sql}) AS ${alias}`);
  await page
    .locator('[data-testid="results-grid"] thead th .name', { hasText: new RegExp(`^${alias}$`) })
    .waitFor({ timeout: 30_000 });
  return firstCell(page);
}

beforeAll(async () => {
  app = await openApp({ home: false });
  ({ page } = app);
});

afterAll(async () => {
  await app?.close();
  rmSync(downloads, { recursive: true, force: true });
});

describe('storage, backup and restore in Settings', () => {
  it('shows the storage figures when the app is opened at #/settings directly', async () => {
    await page.goto('about:blank');
    // The figures arrive after the page shows: the buttons below them must stay where they were first painted.
    await trackPlaces(page, '[data-testid="backup"], [data-testid="clear-data"]');
    await page.goto(new URL('/#/settings', app.server.url).href);
    await waitReady(page);
    await expect
      .poll(async () => Number(await page.getByTestId('database-size').getAttribute('data-bytes')), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    await expect.poll(() => textOf(page, 'storage-estimate')).toMatch(/of .* the browser allows/);
    await expect
      .poll(() => page.getByTestId('storage-persisted').getAttribute('data-persisted'))
      .toMatch(/^(true|false)$/);
    const places = await placesOf(page);
    expect(Object.keys(places).sort()).toEqual(['backup', 'clear-data']);
    for (const [button, tops] of Object.entries(places)) expect(tops, button).toHaveLength(1);
    await gotoPage(page, 'query');
  });

  it('shows the database size, the browser quota and whether storage is persistent', async () => {
    await page.getByRole('button', { name: 'Load sample data' }).click();
    await page.getByTestId('source-stripe').waitFor({ timeout: 60_000 });
    await gotoPage(page, 'settings');
    const size = page.getByTestId('database-size');
    await expect
      .poll(async () => Number(await size.getAttribute('data-bytes')), { timeout: 30_000 })
      .toBeGreaterThan(100_000);
    await expect.poll(() => size.textContent()).toMatch(/\d+(\.\d)? (KiB|MiB)/);
    await expect.poll(() => textOf(page, 'storage-estimate')).toMatch(/of .* the browser allows/);
    const persisted = page.getByTestId('storage-persisted');
    await expect.poll(() => persisted.getAttribute('data-persisted')).toMatch(/^(true|false)$/);
    const ask = persisted.getByRole('button', { name: 'Ask for persistent storage' });
    if ((await ask.count()) > 0) {
      await ask.click();
      await expect
        .poll(() => textOf(page, 'storage-notice'), { timeout: 30_000 })
        .toMatch(/The browser (will keep|declined)/);
    }
  });

  it('downloads a backup: a DuckDB file', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('backup').click()]);
    expect(download.suggestedFilename()).toMatch(/^dinobase-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.duckdb$/);
    backupPath = join(downloads, download.suggestedFilename());
    await download.saveAs(backupPath);
    const bytes = readFileSync(backupPath);
    expect(bytes.byteLength).toBeGreaterThan(100_000);
    expect(bytes.subarray(8, 12).toString('latin1')).toBe('DUCK');
    await expect.poll(() => textOf(page, 'storage-notice'), { timeout: 30_000 }).toContain('Backup ready');
    // The database reopened: queries still work.
    await expect.poll(() => value('SELECT count(*) FROM stripe.customers')).toBe('180');
  });

  it('clears all data after a confirmation', async () => {
    await gotoPage(page, 'settings');
    const question = answerNextDialog(page, true);
    await page.getByTestId('clear-data').click();
    await expect.poll(() => question).toContain('Delete all data in this browser');
    await expect
      .poll(() => textOf(page, 'storage-notice'), { timeout: 30_000 })
      .toBe('All data was deleted.');
    await expect.poll(() => page.getByTestId('source-stripe').count(), { timeout: 10_000 }).toBe(0);
    await expect
      .poll(() => value("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'stripe'"))
      .toBe('0');
    await expect.poll(() => value('SELECT count(*) FROM _dinobase.sync_log')).toBe('0');
  });

  it('refuses a file that is not a DuckDB database', async () => {
    await gotoPage(page, 'settings');
    const question = answerNextDialog(page, true);
    await page.getByTestId('restore-file').setInputFiles({
      name: 'notes.duckdb',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('id,name\n1,Acme\n'.repeat(500)),
    });
    await expect.poll(() => question).toContain('Replace all data in this browser with "notes.duckdb"');
    await expect
      .poll(() => textOf(page, 'storage-error'), { timeout: 30_000 })
      .toContain('Not a DuckDB database file');
  });

  it('restores the downloaded backup: the data is back, and survives a reload', async () => {
    const question = answerNextDialog(page, true);
    await page.getByTestId('restore-file').setInputFiles(backupPath);
    await expect.poll(() => question).toContain('Replace all data');
    await expect
      .poll(async () => (await textOf(page, 'storage-notice')) || (await textOf(page, 'storage-error')), {
        timeout: 60_000,
      })
      .toMatch(/^Restored dinobase-.*\(hubspot, stripe\)\.$/);
    await page.getByTestId('source-stripe').waitFor({ timeout: 30_000 });
    await runSql(page, JOIN);
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('160');

    await page.reload();
    await waitReady(page);
    await page.getByTestId('source-hubspot').waitFor({ timeout: 30_000 });
    await runSql(page, JOIN);
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('160');
  });

  it('keeps writing after the restore: a sync lands and is logged', async () => {
    await page.getByRole('button', { name: 'Sync linear' }).click();
    await expect
      .poll(() => page.getByTestId('sync-linear').getAttribute('data-status'), { timeout: 90_000 })
      .toBe('success');
    await expect
      .poll(() => value("SELECT count(*) FROM _dinobase.sync_log WHERE connector_name = 'linear'"))
      .toBe('1');
    expect(Number(await value('SELECT count(*) FROM linear.issues'))).toBeGreaterThan(0);
  });
});
