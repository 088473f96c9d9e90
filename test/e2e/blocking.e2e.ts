// e2e: the app on the opt-in blocking driver (`?duckdb=blocking`, DuckDB in the engine's worker): the main paths, and OPFS handles released in place.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelLongQuery,
  captureConsole,
  expectQuery,
  gotoPage,
  openApp,
  restoreFrom,
  textOf,
  waitReady,
  type App,
} from './browser.ts';

const BLOCKING = '?duckdb=blocking';
const JOIN =
  'SELECT count(*) AS matched FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email';

let app: App;
let page: Page;

beforeAll(async () => {
  app = await openApp({ search: BLOCKING });
  ({ page } = app);
});

afterAll(async () => {
  await app?.close();
});

/** The driver the engine reported when it opened (the `dinobase:engine-ready` mark's startup timings). */
function startupDriver(on: Page): Promise<string | null> {
  return on.evaluate(() => {
    const marks = performance.getEntriesByName('dinobase:engine-ready') as PerformanceMark[];
    const detail = marks.at(-1)?.detail as { driver?: string } | null | undefined;
    return detail?.driver ?? null;
  });
}

/** The page's engine worker (named by web/lib/engine.ts), once it is running. */
async function engineWorker(on: Page): Promise<Worker> {
  let found: Worker | undefined;
  await expect
    .poll(async () => {
      for (const worker of on.workers()) {
        const name = await worker.evaluate(() => self.name).catch(() => '');
        if (name.startsWith('dinobase-engine')) found = worker;
      }
      return found !== undefined;
    })
    .toBe(true);
  return found!;
}

const status = (on: Page) => on.getByTestId('status').getAttribute('data-status');

describe('the app on the blocking driver (?duckdb=blocking)', () => {
  it('runs DuckDB in the engine worker itself: no nested DuckDB worker, no XMLHttpRequest there', async () => {
    await expect.poll(() => startupDriver(page)).toBe('blocking');
    const engine = await engineWorker(page);
    expect(await engine.evaluate(() => [self.name, typeof XMLHttpRequest])).toEqual([
      'dinobase-engine duckdb=blocking',
      'undefined',
    ]);
    // DuckDB's async worker is a blob: script (worker/duckdb/browser.ts); the blocking driver spawns none.
    expect(page.workers().filter((w) => w.url().startsWith('blob:'))).toEqual([]);
  });

  it('loads the sample data and answers a join', async () => {
    await page.getByRole('button', { name: 'Load sample data' }).click();
    await page.getByTestId('source-stripe').waitFor({ timeout: 60_000 });
    await expectQuery(page, JOIN, '160');
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe('1 row');
  });

  it('cancels a long query and stays usable', async () => {
    await cancelLongQuery(page);
  });

  it('imports a picked CSV (a file handle DuckDB reads as it scans)', async () => {
    await page.getByTestId('import-file-input').setInputFiles({
      name: 'orders.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('id,amount\n1,10.5\n2,20\n3,7\n'),
    });
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 60_000 });
    await expectQuery(page, 'SELECT sum(amount) AS total FROM files.orders', '37.5');
  });

  it('downloads a backup (the database closes in place, its file is read, it reopens) and restores it', async () => {
    await gotoPage(page, 'settings');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('backup').click()]);
    expect(download.suggestedFilename()).toMatch(/\.duckdb$/);
    await expect.poll(() => textOf(page, 'storage-notice'), { timeout: 30_000 }).toContain('Backup ready');
    await expectQuery(page, 'SELECT count(*) AS n FROM stripe.customers', '180');
    // The restore hands DuckDB the backup's bytes (registerFile) to attach and copy in.
    const dir = mkdtempSync(join(tmpdir(), 'dinobase-e2e-downloads-'));
    try {
      const backup = join(dir, download.suggestedFilename());
      await download.saveAs(backup);
      const question = await restoreFrom(page, backup, /^Restored dinobase-.*\(files, hubspot, stripe\)\.$/);
      expect(question).toContain('Replace all data');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await expectQuery(page, JOIN, '160');
  });

  it('keeps the data across a page reload (the blocking driver again)', async () => {
    await page.reload();
    await waitReady(page);
    await expect.poll(() => startupDriver(page)).toBe('blocking');
    await page.getByTestId('source-stripe').waitFor({ timeout: 30_000 });
    await expectQuery(page, JOIN, '160');
  });

  it('"Use here" in a second tab opens the same file: the first released its OPFS handles in place', async () => {
    const second = await app.context.newPage();
    captureConsole(second, app.logs);
    await second.goto(new URL(BLOCKING, app.server.url).href);
    await expect
      .poll(() => textOf(second, 'tab-notice'), { timeout: 30_000 })
      .toContain('Dinobase is open in another tab');
    await second.getByRole('button', { name: 'Use here' }).click();
    await waitReady(second);
    await expect.poll(() => status(page), { timeout: 30_000 }).toBe('elsewhere');
    // The first tab's engine worker lives on: only its close could have let go of the file.
    await engineWorker(page);
    await expectQuery(second, JOIN, '160');
    await expectQuery(second, 'SELECT sum(amount) AS total FROM files.orders', '37.5');
    // And back: the second tab's engine releases them the same way.
    await page.getByRole('button', { name: 'Use here' }).click();
    await waitReady(page);
    await expect.poll(() => status(second), { timeout: 30_000 }).toBe('elsewhere');
    await expectQuery(page, 'SELECT count(*) AS n FROM hubspot.contacts', '180');
    await second.close();
  });

  it('hands the file to a tab on the default driver, which sees the data', async () => {
    const other = await app.context.newPage();
    captureConsole(other, app.logs);
    await other.goto(app.server.url);
    await expect
      .poll(() => textOf(other, 'tab-notice'), { timeout: 30_000 })
      .toContain('Dinobase is open in another tab');
    await other.getByRole('button', { name: 'Use here' }).click();
    await waitReady(other);
    await expect.poll(() => startupDriver(other)).toBe('async');
    await expectQuery(other, JOIN, '160');
    await other.close();
  });
});
