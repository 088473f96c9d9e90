// e2e: a first visit end to end (sync the sandboxes, join them, chart it, preview a table, review a change, switch
// theme), with the keyboard where a user would use it; with UPDATE_SCREENSHOTS=1 it saves docs/screenshots/.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstCell, gotoPage, openApp, runSql, textOf, waitReady, type App } from './browser.ts';

/** A test run takes the screenshots too, but only replaces the committed ones when asked. */
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'dinobase-shots-'));
const SANDBOXES = ['github', 'hubspot', 'linear', 'stripe'];
/** Revenue by lifecycle stage: Stripe charges joined to HubSpot contacts by email. */
const REVENUE = `SELECT h.lifecyclestage, count(DISTINCT c.id) AS customers, sum(ch.amount) / 100 AS revenue_dollars
FROM stripe.customers c
JOIN hubspot.contacts h ON h.email = c.email
LEFT JOIN stripe.charges ch ON ch.customer = c.id AND ch.status = 'succeeded'
GROUP BY ALL ORDER BY revenue_dollars DESC NULLS LAST`;

let app: App;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const badge = (name: string) =>
  page.getByTestId(`sync-${name}`).getByTestId('badge').getAttribute('data-badge');

/** Single-key shortcuts work outside text fields: leave the editor. */
const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

beforeAll(async () => {
  app = await openApp({
    // The screenshots' size, set on the first page before it opens the app.
    prepare: async (context) =>
      (context.pages()[0] ?? (await context.newPage())).setViewportSize({ width: 1440, height: 900 }),
  });
  ({ page } = app);
});

afterAll(() => app?.close());

describe('a first visit, end to end', () => {
  it('shows the sandbox sources in the sidebar, not synced yet', async () => {
    for (const name of SANDBOXES) await expect.poll(() => badge(name), { timeout: 30_000 }).toBe('never');
    await expect
      .poll(() => page.getByRole('button', { name: 'Sync sandbox sources' }).isEnabled())
      .toBe(true);
  });

  it('syncs them all; each turns fresh with its rows and tables', async () => {
    await page.getByRole('button', { name: 'Sync sandbox sources' }).click();
    for (const name of SANDBOXES) {
      await expect
        .poll(() => page.getByTestId(`sync-${name}`).getAttribute('data-status'), { timeout: 120_000 })
        .toBe('success');
    }
    for (const name of SANDBOXES) await expect.poll(() => badge(name), { timeout: 10_000 }).toBe('fresh');
    await expect
      .poll(() => textOf(page, 'sync-stripe'), { timeout: 10_000 })
      .toMatch(/[\d,]+ rows, \d+ tables/);
  });

  it('joins Stripe and HubSpot, with the columns and their notes in the sidebar', async () => {
    await runSql(
      page,
      'SELECT count(*) FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email',
    );
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('160');
    await page.getByTestId('source-stripe').click();
    await page.getByTestId('table-stripe.customers').click();
    const columns = page.getByTestId('columns-stripe.customers');
    await columns.waitFor({ timeout: 10_000 });
    await expect.poll(() => columns.textContent()).toContain('Join key with hubspot.contacts.email');
    await expect.poll(() => columns.textContent()).toMatch(/balance\s*BIGINT/);

    await runSql(page, REVENUE);
    await page
      .locator('[data-testid="results-grid"] thead th .name', { hasText: 'revenue_dollars' })
      .waitFor();
    await shot('query');
  });

  it('draws the result as a chart', async () => {
    await page.getByTestId('view-chart').click();
    await page.getByTestId('chart').locator('svg').first().waitFor({ timeout: 30_000 });
    await shot('chart');
    await page.getByTestId('view-table').click();
    // Fold the sidebar back for the next screens.
    await page.getByTestId('table-stripe.customers').click();
    await page.getByTestId('source-stripe').click();
  });

  it('previews a table from the sidebar, with the keyboard, in its own tab', async () => {
    await page.keyboard.press('ControlOrMeta+Shift+E');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.closest('[data-testid="sidebar"]') !== null))
      .toBe(true);
    await page.getByTestId('source-stripe').focus();
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('table-stripe.customers').focus();
    await page.keyboard.press('p');
    await page.getByTestId('editor-tab').filter({ hasText: 'stripe.customers' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toMatch(/^100 rows/);
    await expect.poll(() => firstCell(page)).toMatch(/^cus_/);
    await page.getByTestId('source-stripe').click();
    await page.getByTestId('editor-tab').filter({ hasText: 'Query 1' }).getByRole('tab').click();
  });

  it('opens the Sources page with G then S, and shows each source with its history', async () => {
    await blur();
    await page.keyboard.press('g');
    await page.keyboard.press('s');
    await page.getByTestId('sources-page').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/sources');
    for (const name of SANDBOXES) {
      await page
        .getByTestId(`sync-history-${name}`)
        .locator('tbody tr[data-status="success"]')
        .first()
        .waitFor();
    }
    await shot('sources');
  });

  it('previews an UPDATE for review, on the query page and on the Mutations page, and cancels it', async () => {
    await runSql(page, 'SELECT min(id) AS first_id FROM stripe.customers');
    await page.locator('[data-testid="results-grid"] thead th .name', { hasText: 'first_id' }).waitFor();
    const id = await firstCell(page);
    expect(id).toMatch(/^cus_/);
    await runSql(page, `UPDATE stripe.customers SET name = 'Acme Renamed' WHERE id = '${id}'`);
    const review = page.getByTestId('mutation-review');
    await review.waitFor({ timeout: 30_000 });
    await expect.poll(() => textOf(page, 'mutation-pending-count')).toBe('1');
    await shot('mutation-review');
    await gotoPage(page, 'mutations');
    await page.getByTestId('mutations-page').getByTestId('mutation-review').waitFor();
    await shot('mutations');
    await page.getByTestId('mutation-cancel').first().click();
    await page.getByTestId('mutation-cancelled').first().waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('mutation-pending-count').count()).toBe(0);
  });

  it('shows the settings: storage and theme', async () => {
    await gotoPage(page, 'settings');
    await expect
      .poll(async () => Number(await page.getByTestId('database-size').getAttribute('data-bytes')), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    await shot('settings');
  });

  it('follows the system theme, and keeps a dark choice made in Settings across reloads', async () => {
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(theme).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(theme).toBe('light');
    await page.getByTestId('theme-dark').check();
    await expect.poll(theme).toBe('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(23, 24, 28)');
    await page.reload();
    await waitReady(page);
    await expect.poll(() => theme()).toBe('dark');
    await runSql(page, REVENUE);
    await page
      .locator('[data-testid="results-grid"] thead th .name', { hasText: 'revenue_dollars' })
      .waitFor();
    await page.getByTestId('source-hubspot').click();
    await shot('dark');
    await gotoPage(page, 'settings');
    await page.getByTestId('theme-system').check();
    await expect.poll(theme).toBe('light');
  });

  it('lists the keyboard shortcuts on ?, and Esc closes them', async () => {
    await blur();
    await page.keyboard.press('?');
    const help = page.getByTestId('help');
    await help.waitFor({ state: 'visible' });
    await expect.poll(() => help.textContent()).toContain('Focus the sidebar');
    await expect.poll(() => help.textContent()).toContain('New tab');
    await shot('shortcuts');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
  });
});
