// e2e: the Sources page: the first screen's choice, Sync now with per-table progress and Stop, the sync history, a schedule that fires by itself (and stops), adding and removing a source.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../proxy/sandbox/index.ts';
import type { RunningServer } from '../../proxy/server.ts';
import { answerNextDialog, gotoPage, openApp, squash, textOf, valueOf, type App } from './browser.ts';

let app: App;
let server: RunningServer;
let page: Page;

const card = (name: string) => page.getByTestId(`source-card-${name}`);
const historyRows = (name: string) =>
  page.getByTestId(`sync-history-${name}`).locator('tbody tr[data-status]');
const statuses = async (name: string) =>
  historyRows(name).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
const nextRun = (name: string) => page.getByTestId(`next-run-${name}`).getAttribute('data-at');

beforeAll(async () => {
  app = await openApp();
  ({ server, page } = app);
});

afterAll(() => app?.close());

describe('the Sources page', () => {
  it('offers a newcomer the choice of sample data or a sandbox sync, and lists the sources as not synced yet', async () => {
    const start = page.getByTestId('getting-started');
    await expect
      .poll(async () => squash(await start.textContent()), { timeout: 30_000 })
      .toMatch(
        /Try the sample data Made-up Stripe and HubSpot data.*Linear and GitHub are not in it\. Sync sandbox sources A real sync of .*Stripe, HubSpot, Linear and GitHub/,
      );
    await expect
      .poll(() => page.getByTestId('sync-linear').getByTestId('badge').getAttribute('data-badge'), {
        timeout: 30_000,
      })
      .toBe('never');
    await gotoPage(page, 'sources');
    for (const name of ['github', 'hubspot', 'linear', 'stripe']) await card(name).waitFor();
    await expect.poll(() => card('linear').getAttribute('data-badge')).toBe('never');
    // The history loads after the card appears ("Loading the history…").
    await expect.poll(async () => squash(await card('linear').textContent())).toContain('Never synced.');
    await expect.poll(() => textOf(page, 'sync-history-linear')).toBe('');
  });

  it('syncs one source with Sync now and shows the run in its history, with duration and rows', async () => {
    await card('linear').getByRole('button', { name: 'Sync now linear' }).click();
    await expect.poll(() => statuses('linear'), { timeout: 90_000 }).toEqual(['success']);
    const cells = () => historyRows('linear').first().locator('td').allTextContents();
    await expect.poll(async () => (await cells())[1]).toMatch(/^\d+(\.\d)? s$|^\d+ ms$/);
    await expect.poll(async () => Number((await cells())[3])).toBeGreaterThan(0);
    await expect.poll(async () => Number((await cells())[4]!.replaceAll(',', ''))).toBeGreaterThan(0);
    await expect.poll(() => card('linear').getAttribute('data-badge')).toBe('fresh');
    await expect.poll(() => page.getByTestId('sync-linear').getAttribute('data-status')).toBe('success');
    // The sidebar's counts come with the catalog refresh that follows the sync.
    await expect
      .poll(async () => squash(await textOf(page, 'sync-linear')), { timeout: 10_000 })
      .toMatch(/\d[\d,]* rows, \d+ tables/);
    // The card's "Synced" line and the sidebar count the same rows, and say why records differ from rows.
    const synced = () => card('linear').getByRole('status').textContent();
    await expect.poll(synced).toMatch(/^Synced [\d,]+ records?( → [\d,]+ rows)? in \d+ tables?/);
    const line = squash(await synced());
    const rows = /→ ([\d,]+) rows/.exec(line)?.[1] ?? /^Synced ([\d,]+) records?/.exec(line)![1]!;
    await expect.poll(async () => squash(await textOf(page, 'sync-linear'))).toContain(`${rows} rows`);
    await expect.poll(() => textOf(page, 'source-data-linear')).toContain(`${rows} rows`);
  });

  it('syncs by itself under a short interval: the history grows and the next run moves', async () => {
    const input = card('linear').getByLabel('Sync interval of linear');
    await input.fill('5s');
    await card('linear').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => nextRun('linear'), { timeout: 10_000 }).toMatch(/^\d{4}-.*Z$/);
    const first = Date.parse((await nextRun('linear'))!);
    await expect.poll(() => textOf(page, 'next-run-linear')).toMatch(/next sync (in \d+s|now)/);
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
    await expect.poll(() => textOf(page, 'next-run-linear')).toContain('only when you sync it');
    const linearRuns = "SELECT count(*) FROM _dinobase.sync_log WHERE connector_name = 'linear'";
    const runs = await valueOf(page, linearRuns);
    await gotoPage(page, 'sources');
    // github, every 5 s, is the witness: its second scheduled sync starts in a round where linear, last
    // synced before that, would be due too, and both would log their start before github's end is logged.
    const github = card('github').getByLabel('Sync interval of github');
    await github.fill('5s');
    await card('github').getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await statuses('github')).filter((s) => s === 'success').length, {
        timeout: 120_000,
      })
      .toBeGreaterThanOrEqual(2);
    await github.fill('');
    await card('github').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => nextRun('github'), { timeout: 10_000 }).toBe('');
    await expect.poll(() => valueOf(page, linearRuns)).toBe(runs);
  });

  it('refuses an interval it cannot read, saying what it expects', async () => {
    await gotoPage(page, 'sources');
    await card('hubspot').getByLabel('Sync interval of hubspot').fill('often');
    await card('hubspot').getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => card('hubspot').getByRole('alert').textContent(), { timeout: 10_000 })
      .toContain("Invalid sync interval 'often'");
  });

  it('shows per-table progress with pages and rows while syncing, and Stop leaves the data as it was', async () => {
    await gotoPage(page, 'sources');
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
    await expect.poll(() => card('stripe').getAttribute('data-badge')).toBe('syncing');
    await expect.poll(() => page.getByTestId('sync-stripe').getAttribute('data-status')).toBe('syncing');
    await card('stripe').getByRole('button', { name: 'Stop syncing stripe' }).click();
    // Stopping is no failure: a neutral note, a 'cancelled' run, and the badge it had before.
    await expect
      .poll(() => card('stripe').getByRole('status').textContent(), { timeout: 30_000 })
      .toBe('Stopped before it finished: nothing changed, the previous data is kept.');
    await expect.poll(() => statuses('stripe')).toEqual(['cancelled']);
    await expect.poll(() => card('stripe').getAttribute('data-badge'), { timeout: 10_000 }).toBe('never');
    await expect.poll(() => card('stripe').getByRole('alert').count()).toBe(0);
    expect(
      await valueOf(page, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'stripe'"),
    ).toBe('0');
  });

  it('adds a source from the form, syncs it, and removes it with a confirmation that drops its schema', async () => {
    await page.getByRole('button', { name: 'Add source' }).click();
    const form = page.getByTestId('add-source');
    await form.getByRole('combobox').selectOption('stripe');
    await form.getByLabel('Name (becomes the SQL schema)').fill('billing');
    await form.getByLabel("This server's stripe sandbox").check();
    await form.getByLabel('Secret key', { exact: true }).fill(SANDBOX_CREDENTIALS.stripe.api_key);
    await form.getByRole('button', { name: 'Save source' }).click();
    await card('billing').waitFor({ timeout: 20_000 });
    await card('billing').getByRole('button', { name: 'Sync now billing' }).click();
    await expect.poll(() => statuses('billing'), { timeout: 90_000 }).toEqual(['success']);
    // The new card lists what the sync brought, not "no tables yet".
    await expect
      .poll(() => textOf(page, 'source-data-billing'), { timeout: 10_000 })
      .toMatch(/^\s*[\d,]+ rows, \d+ tables\s*$/);
    await expect.poll(() => valueOf(page, 'SELECT count(*) FROM billing.customers')).toBe('180');

    await gotoPage(page, 'sources');
    // Dismissing the question keeps everything: its data (a query round trip later), credentials, card.
    const dismissed = answerNextDialog(page, false);
    await card('billing').getByRole('button', { name: 'Remove billing' }).click();
    await expect.poll(() => dismissed).toContain('Remove the source "billing"');
    await expect.poll(() => valueOf(page, 'SELECT count(*) FROM billing.customers')).toBe('180');
    await expect.poll(() => server.store.resolve('billing')).toBeTruthy();
    await gotoPage(page, 'sources');
    await expect.poll(() => card('billing').count()).toBe(1);

    const accepted = answerNextDialog(page, true);
    await card('billing').getByRole('button', { name: 'Remove billing' }).click();
    await expect.poll(() => accepted).toContain('Remove the source "billing"');
    await expect.poll(() => card('billing').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('sync-billing').count()).toBe(0);
    await expect.poll(async () => Boolean(await server.store.resolve('billing'))).toBe(false);
    expect(
      await valueOf(page, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'billing'"),
    ).toBe('0');
  });
});
