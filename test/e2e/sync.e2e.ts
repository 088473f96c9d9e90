import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstCell, openApp, runSql, textOf, waitReady, type App } from './browser.ts';

let app: App;
let page: Page;

const status = (name: string) => page.getByTestId(`sync-${name}`).getAttribute('data-status');

beforeAll(async () => {
  app = await openApp({ home: false });
  ({ page } = app);
});

afterAll(() => app?.close());

describe('syncing the sandbox sources from the browser', () => {
  it('syncs Stripe, HubSpot, Linear and GitHub through the worker, with no credentials typed', async () => {
    await page.getByRole('button', { name: 'Sync sandbox sources' }).click();
    for (const name of ['stripe', 'hubspot', 'linear', 'github']) {
      await expect.poll(() => status(name), { timeout: 90_000 }).toBe('success');
    }
    await expect.poll(() => textOf(page, 'sync-github'), { timeout: 30_000 }).toMatch(/rows, \d+ tables/);
    await page.getByTestId('source-linear').waitFor({ timeout: 30_000 });
  });

  it('joins synced sources in SQL', async () => {
    await runSql(
      page,
      'SELECT count(*) FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email',
    );
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('160');
    await runSql(
      page,
      `SELECT count(*) FROM linear.issues i JOIN linear.teams t ON i.team__id = t.id
       WHERE i.identifier LIKE t.key || '-%'`,
    );
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toMatch(/^[1-9]\d*$/);
  });

  it('keeps synced data after a reload', async () => {
    await page.reload();
    await waitReady(page);
    await runSql(page, 'SELECT count(*) FROM github.issues');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toMatch(/^[1-9]\d*$/);
  });

  it('syncs again incrementally', async () => {
    await page.getByRole('button', { name: 'Sync sandbox sources' }).click();
    await expect.poll(() => status('stripe'), { timeout: 60_000 }).toBe('success');
    await expect.poll(() => status('github'), { timeout: 60_000 }).toBe('success');
    await runSql(
      page,
      "SELECT count(*) FROM _dinobase.sync_log WHERE connector_name = 'stripe' AND status = 'success'",
    );
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('2');
  });
});
