// e2e: the Sources page: Sync now with per-table progress and Stop, the sync history, a schedule that fires by itself, adding and removing a source.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../proxy/sandbox/index.ts';
import type { RunningServer } from '../../proxy/server.ts';
import { firstCell, gotoPage, openApp, runSql, textOf, type App } from './browser.ts';

let app: App;
let server: RunningServer;
let page: Page;

const card = (name: string) => page.getByTestId(`source-card-${name}`);
const historyRows = (name: string) =>
  page.getByTestId(`sync-history-${name}`).locator('tbody tr[data-status]');
const statuses = async (name: string) =>
  historyRows(name).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
const nextRun = (name: string) => page.getByTestId(`next-run-${name}`).getAttribute('data-at');

/** Text with its runs of whitespace (template line breaks) as single spaces. */
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

beforeAll(async () => {
  app = await openApp();
  ({ server, page } = app);
});

afterAll(() => app?.close());

describe('the Sources page', () => {
  it('lists the sandbox sources as not synced yet, in the sidebar and on the page', async () => {
    await expect
      .poll(() => page.getByTestId('sync-linear').getByTestId('badge').getAttribute('data-badge'), {
        timeout: 30_000,
      })
      .toBe('never');
    await gotoPage(page, 'sources');
    for (const name of ['github', 'hubspot', 'linear', 'stripe']) await card(name).waitFor();
    expect(await card('linear').getAttribute('data-badge')).toBe('never');
    expect(await textOf(page, 'sync-history-linear')).toBe('');
    expect(await card('linear').textContent()).toContain('Never synced.');
  });

  it('syncs one source with Sync now and shows the run in its history, with duration and rows', async () => {
    await card('linear').getByRole('button', { name: 'Sync now linear' }).click();
    await expect.poll(() => statuses('linear'), { timeout: 90_000 }).toEqual(['success']);
    const row = historyRows('linear').first();
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).toMatch(/^\d+(\.\d)? s$|^\d+ ms$/);
    expect(Number(cells[3])).toBeGreaterThan(0);
    expect(Number(cells[4]!.replaceAll(',', ''))).toBeGreaterThan(0);
    await expect.poll(() => card('linear').getAttribute('data-badge')).toBe('fresh');
    expect(await page.getByTestId('sync-linear').getAttribute('data-status')).toBe('success');
    // The sidebar's counts come with the catalog refresh that follows the sync.
    await expect
      .poll(async () => squash(await textOf(page, 'sync-linear')), { timeout: 10_000 })
      .toMatch(/\d[\d,]* rows, \d+ tables/);
  });

  it('syncs by itself under a short interval: the history grows and the next run moves', async () => {
    const input = card('linear').getByLabel('Sync interval of linear');
    await input.fill('5s');
    await card('linear').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => nextRun('linear'), { timeout: 10_000 }).toMatch(/^\d{4}-.*Z$/);
    const first = Date.parse((await nextRun('linear'))!);
    expect(await textOf(page, 'next-run-linear')).toMatch(/next sync (in \d+s|now)/);
    // No click: the scheduler in the worker syncs again once the interval has passed.
    await expect
      .poll(async () => (await statuses('linear')).filter((s) => s === 'success').length, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(2);
    await expect
      .poll(async () => Date.parse((await nextRun('linear')) ?? ''), { timeout: 15_000 })
      .toBeGreaterThan(first);
    // Off again: no next run.
    await input.fill('');
    await card('linear').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => nextRun('linear'), { timeout: 10_000 }).toBe('');
    expect(await textOf(page, 'next-run-linear')).toContain('only when you sync it');
    const runs = (await statuses('linear')).length;
    await page.waitForTimeout(7000);
    expect((await statuses('linear')).length).toBe(runs);
  });

  it('refuses an interval it cannot read, saying what it expects', async () => {
    await card('hubspot').getByLabel('Sync interval of hubspot').fill('often');
    await card('hubspot').getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => card('hubspot').getByRole('alert').textContent(), { timeout: 10_000 })
      .toContain("Invalid sync interval 'often'");
  });

  it('shows per-table progress with pages and rows while syncing, and Stop leaves the data as it was', async () => {
    // The second page of customers is rate limited for 30 s, so the sync is still running when we look.
    server.sandboxes!.stripe.failNext({
      match: /^\/v1\/customers$/,
      status: 429,
      body: JSON.stringify({ error: { type: 'rate_limit_error', message: 'Too many requests' } }),
      headers: { 'Retry-After': '30' },
      afterMatches: 1,
    });
    await card('stripe').getByRole('button', { name: 'Sync now stripe' }).click();
    const progress = page.getByTestId('sync-progress-stripe');
    await expect
      .poll(async () => squash(await progress.locator('.table', { hasText: 'customers' }).textContent()), {
        timeout: 30_000,
      })
      .toMatch(/^customers fetching · 1 page · 100 rows$/);
    expect(await card('stripe').getAttribute('data-badge')).toBe('syncing');
    expect(await page.getByTestId('sync-stripe').getAttribute('data-status')).toBe('syncing');
    await card('stripe').getByRole('button', { name: 'Stop syncing stripe' }).click();
    await expect
      .poll(() => card('stripe').getByRole('alert').textContent(), { timeout: 30_000 })
      .toContain('interrupted: cancelled. Previous data is unchanged.');
    await expect.poll(() => statuses('stripe')).toEqual(['error']);
    await expect.poll(() => card('stripe').getAttribute('data-badge'), { timeout: 10_000 }).toBe('error');
    await runSql(page, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'stripe'");
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('0');
  });

  it('adds a source from the form, syncs it, and removes it with a confirmation that drops its schema', async () => {
    await page.getByRole('button', { name: 'Add source' }).click();
    const form = page.getByTestId('add-source');
    await form.getByRole('combobox').selectOption('stripe');
    await form.getByLabel('Name (becomes the SQL schema)').fill('billing');
    await form.getByLabel("This server's stripe sandbox").check();
    await form.getByLabel('api_key').fill(SANDBOX_CREDENTIALS.stripe.api_key);
    await form.getByRole('button', { name: 'Save source' }).click();
    await card('billing').waitFor({ timeout: 20_000 });
    await card('billing').getByRole('button', { name: 'Sync now billing' }).click();
    await expect.poll(() => statuses('billing'), { timeout: 90_000 }).toEqual(['success']);
    await runSql(page, 'SELECT count(*) FROM billing.customers');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('180');

    await gotoPage(page, 'sources');
    // Dismissing the question keeps everything.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await card('billing').getByRole('button', { name: 'Remove billing' }).click();
    await page.waitForTimeout(500);
    expect(await card('billing').count()).toBe(1);

    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await card('billing').getByRole('button', { name: 'Remove billing' }).click();
    await expect.poll(() => card('billing').count(), { timeout: 20_000 }).toBe(0);
    expect(question).toContain('Remove the source "billing"');
    expect(await page.getByTestId('sync-billing').count()).toBe(0);
    expect(await server.store.resolve('billing')).toBeFalsy();
    await runSql(page, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'billing'");
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('0');
  });
});
