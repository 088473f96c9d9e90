// e2e: the tab dies mid-confirm (worker killed); after a reload the mutation resumes and each row is written once.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../proxy/server.ts';
import { firstCell, openApp, openPage, runSql, type App } from './browser.ts';

let app: App;
let server: RunningServer;
let page: Page;
const NEW_NAME = 'Written once';

const stripe = () => server.sandboxes!.stripe;
/** Write requests the Stripe sandbox received for one customer. */
const writesFor = (id: string) =>
  stripe().requests.filter((r) => r.method === 'POST' && r.path === `/v1/customers/${id}`).length;

beforeAll(async () => {
  app = await openApp();
  ({ server, page } = app);
});

afterAll(() => app?.close());

describe('a confirm interrupted by a killed worker', () => {
  it('resumes after a reload and writes every row exactly once', async () => {
    await page.getByRole('button', { name: 'Sync stripe' }).click();
    await expect
      .poll(() => page.getByTestId('sync-stripe').getAttribute('data-status'), { timeout: 90_000 })
      .toBe('success');
    const ids = stripe()
      .store.list('customers')
      .map((c) => c.id)
      .sort()
      .slice(0, 3);
    // The second row's re-read is rate limited for 30 s: the page is closed while the write-back waits on it.
    stripe().failNext({
      match: new RegExp(`^/v1/customers/${ids[1]}$`),
      status: 429,
      body: JSON.stringify({ error: { type: 'rate_limit_error', message: 'Too many requests' } }),
      headers: { 'Retry-After': '30' },
    });
    stripe().clearRequests();
    await runSql(
      page,
      `UPDATE stripe.customers SET name = '${NEW_NAME}' WHERE id IN (${ids.map((i) => `'${i}'`).join(', ')})`,
    );
    await page.getByTestId('mutation-confirm').first().click();
    await expect.poll(() => writesFor(ids[0]!), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => stripe().requests.some((r) => r.status === 429 && r.path.endsWith(ids[1]!)), {
        timeout: 30_000,
      })
      .toBe(true);

    // Closing the page terminates the engine worker mid-write, as a crash or a closed tab would.
    await page.close();
    page = await openPage(app.context, server.url, app.logs);
    await page.getByTestId('mutations-toggle').click();
    await page.getByTestId('mutation-tab-pending').click();
    const pending = page.getByTestId('mutation-pending');
    await pending.getByRole('button', { name: 'Resume' }).click();
    await expect
      .poll(() => page.getByTestId('mutation-results').first().getAttribute('data-final'), {
        timeout: 60_000,
      })
      .toBe('true');

    for (const id of ids) {
      expect(writesFor(id), id).toBe(1);
      expect(stripe().store.get('customers', id)?.name).toBe(NEW_NAME);
    }
    await runSql(
      page,
      `SELECT count(*) FILTER (WHERE name = '${NEW_NAME}') AS written FROM stripe.customers`,
    );
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('3');
  });
});
