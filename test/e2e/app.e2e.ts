import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../proxy/server.ts';
import { firstCell, launch, openApp, openPage, runSql, textOf, waitReady, type App } from './browser.ts';

const JOIN =
  'SELECT count(*) AS matched FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email';

let app: App;
let server: RunningServer;
let page: Page;

beforeAll(async () => {
  app = await openApp({ home: false });
  ({ server, page } = app);
});

afterAll(() => app?.close());

describe('walking skeleton in Chromium', () => {
  it('opens DuckDB-WASM on OPFS in a worker', async () => {
    await expect
      .poll(() => textOf(page, 'status'), { timeout: 30_000 })
      .toContain('saved in this browser (OPFS)');
  });

  it('loads the sample data and shows it in the sidebar', async () => {
    await page.getByRole('button', { name: 'Load sample data' }).click();
    await page.getByTestId('source-stripe').waitFor({ timeout: 60_000 });
    await expect.poll(() => textOf(page, 'sidebar'), { timeout: 30_000 }).toContain('hubspot');
  });

  it('runs a cross-source join and shows the right count', async () => {
    await runSql(page, JOIN);
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('160');
    await expect.poll(() => textOf(page, 'row-count')).toBe('1 row');
  });

  it('keeps the data across a page reload', async () => {
    await page.reload();
    await waitReady(page);
    await page.getByTestId('source-stripe').waitFor();
    await runSql(page, JOIN);
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('160');
  });

  it('keeps the data across a browser restart (checkpointed to OPFS)', async () => {
    await app.context.close();
    // The new browser is the app's now, so that close() closes it.
    app.context = await launch(app.profileDir);
    page = await openPage(app.context, server.url, app.logs);
    await runSql(page, 'SELECT count(*) AS n FROM stripe.customers');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('180');
  });

  it('loads the sample data again on the reopened database, replacing it', async () => {
    await page.getByRole('button', { name: 'Load sample data' }).click();
    // One per source (stripe, hubspot) and load; sample loads are not syncs, so not in the sync log.
    const loads = "SELECT sum(value::INTEGER) AS loads FROM _dinobase.metadata WHERE key = 'sample_loads'";
    await expect
      .poll(
        async () => {
          await runSql(page, loads);
          return firstCell(page);
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('4');
    await runSql(page, 'SELECT count(*) AS n FROM stripe.customers');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('180');
  });

  it('shows a bad query as an error and keeps working', async () => {
    await runSql(page, 'SELECT * FROM stripe.nope');
    await expect
      .poll(() => textOf(page, 'query-error'), { timeout: 30_000 })
      .toContain('Table with name nope does not exist');
    await runSql(page, 'DROP TABLE stripe.customers');
    await expect
      .poll(() => textOf(page, 'query-error'), { timeout: 30_000 })
      .toContain('DROP statements are not allowed');
    await runSql(page, 'SELECT count(*) FROM hubspot.contacts');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('180');
    expect(await page.getByTestId('query-error').count()).toBe(0);
  });

  it('cancels a long query and stays usable', async () => {
    await runSql(page, 'SELECT count(*) FROM range(100000000000) a, range(10) b');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => textOf(page, 'query-cancelled'), { timeout: 30_000 })
      .toContain('Query cancelled');
    await runSql(page, 'SELECT 42 AS answer');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('42');
  });

  it('tells a second tab that the database is open in another tab (tabs.e2e.ts covers "Use here")', async () => {
    const second = await app.context.newPage();
    await second.goto(server.url);
    await expect
      .poll(() => textOf(second, 'tab-notice'), { timeout: 30_000 })
      .toContain('Dinobase is open in another tab');
    expect(await textOf(second, 'session-error')).toBe('');
    await second.close();
    await runSql(page, 'SELECT 1 AS still_fine');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('1');
  });
});
