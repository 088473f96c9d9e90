// The scratch schema in Chromium: a table created from the editor shows in the sidebar and survives a reload (OPFS).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstCell, openApp, runSql, textOf, waitReady, type App } from './browser.ts';

let app: App;
let page: Page;

beforeAll(async () => {
  app = await openApp();
  page = app.page;
  await page.getByRole('button', { name: 'Load sample data' }).click();
  await page.getByTestId('source-hubspot').waitFor({ timeout: 60_000 });
});
afterAll(() => app?.close());

describe('the scratch schema', () => {
  it('CREATE TABLE scratch.… from the editor shows under "scratch" in the sidebar, and a reload keeps it', async () => {
    await runSql(
      page,
      'CREATE TABLE scratch.big_customers AS SELECT * FROM stripe.customers LIMIT 7; ' +
        'CREATE VIEW scratch.big_count AS SELECT count(*) AS n FROM scratch.big_customers; ' +
        'SELECT n FROM scratch.big_count',
    );
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('7');
    const source = page.getByTestId('source-scratch');
    await source.waitFor({ timeout: 30_000 });
    await source.click();
    await expect.poll(() => textOf(page, 'count-scratch.big_customers'), { timeout: 30_000 }).toBe('7');
    await expect.poll(() => textOf(page, 'count-scratch.big_count')).toBe('view');

    await page.reload();
    await waitReady(page);
    await page.getByTestId('source-scratch').waitFor({ timeout: 60_000 });
    await runSql(page, 'SELECT n FROM scratch.big_count');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('7');
  });

  it('DDL on a synced table is refused with where DDL is allowed', async () => {
    await runSql(page, 'DROP TABLE stripe.customers');
    await expect
      .poll(() => textOf(page, 'query-error'), { timeout: 30_000 })
      .toContain('DDL is allowed only in the scratch schema, e.g. CREATE TABLE scratch.x AS SELECT');
  });
});
