// e2e: an UPDATE typed in the editor is previewed in the review panel, then confirmed (or cancelled) against the sandbox.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../proxy/server.ts';
import { firstCell, openApp, runSql, textOf, type App } from './browser.ts';

let app: App;
let server: RunningServer;
let page: Page;

/** The customer's name as the sandbox API holds it now. */
function sandboxName(id: string): unknown {
  return server.sandboxes!.stripe.store.get('customers', id)?.name;
}

let asked = 0;

/** `SELECT <column> <rest>` in the editor; the first cell once the grid shows this query's (uniquely named) column. */
async function ask(column: string, rest: string): Promise<string> {
  const alias = `answer_${++asked}`;
  await runSql(page, `SELECT ${column} AS ${alias} ${rest}`);
  await page
    .locator('[data-testid="results-grid"] thead th .name', { hasText: alias })
    .waitFor({ timeout: 30_000 });
  await expect.poll(() => firstCell(page)).not.toBe('');
  return firstCell(page);
}

/** Opens the mutations drawer's History tab and returns the entry for `sqlText`'s mutation. */
async function historyEntry(sqlText: string) {
  if ((await page.getByTestId('mutation-log').count()) === 0)
    await page.getByTestId('mutations-toggle').click();
  await page.getByTestId('mutation-tab-history').click();
  return page.getByTestId('mutation-history').locator('li', { hasText: sqlText });
}

beforeAll(async () => {
  app = await openApp();
  ({ server, page } = app);
});

afterAll(() => app?.close());

describe('reviewing and confirming a mutation from the browser', () => {
  it('syncs the sandbox sources first', async () => {
    await page.getByRole('button', { name: 'Sync sandbox sources' }).click();
    await expect
      .poll(() => page.getByTestId('sync-stripe').getAttribute('data-status'), { timeout: 90_000 })
      .toBe('success');
    // The sandbox button syncs every sandbox in turn; wait for the rest so they do not race the mutations.
    await expect
      .poll(
        async () =>
          (await page.getByRole('button', { name: /^Sync(ing…| sandbox sources)/ }).textContent())?.trim(),
        {
          timeout: 120_000,
        },
      )
      .toBe('Sync sandbox sources');
  });

  it('previews an UPDATE with its diff and API call, writes it to the sandbox on Confirm, and logs it', async () => {
    const id = await ask('id', 'FROM stripe.customers WHERE name IS NOT NULL ORDER BY id LIMIT 1');
    expect(id).toMatch(/^cus_/);
    const oldName = await ask('name', `FROM stripe.customers WHERE id = '${id}'`);
    await expect.poll(() => sandboxName(id)).toBe(oldName);

    const sql = `UPDATE stripe.customers SET name = 'Renamed by e2e' WHERE id = '${id}'`;
    await runSql(page, sql);
    const review = page.getByTestId('mutation-review');
    await review.waitFor({ timeout: 30_000 });
    await expect.poll(() => textOf(page, 'query-notice')).toContain('nothing is written until you confirm');
    // The host the write really goes to: this server's sandbox, not api.stripe.com.
    await expect
      .poll(() => textOf(page, 'mutation-api'))
      .toBe(`POST v1/customers/{id} on ${new URL(server.url).host} · 1 call`);
    const diff = review.getByTestId('mutation-diff');
    await expect.poll(() => diff.getAttribute('data-operation')).toBe('UPDATE');
    await expect.poll(() => diff.locator('td.id').first().textContent()).toBe(id);
    await expect.poll(() => diff.getByTestId('diff-old').first().textContent()).toBe(oldName);
    await expect.poll(() => diff.getByTestId('diff-new').first().textContent()).toBe('Renamed by e2e');
    await expect.poll(() => textOf(page, 'mutation-expiry')).toMatch(/^\s*expires in \d+:\d\d\s*$/);
    await expect.poll(() => textOf(page, 'mutation-pending-count')).toBe('1');
    // Nothing is written before Confirm.
    await expect.poll(() => sandboxName(id)).toBe(oldName);

    await review.getByTestId('mutation-confirm').click();
    const results = review.getByTestId('mutation-results');
    await expect.poll(() => results.getAttribute('data-final'), { timeout: 60_000 }).toBe('true');
    const rows = results.getByTestId('mutation-result-row');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().getAttribute('data-status')).toBe('ok');
    await expect.poll(() => textOf(page, 'mutation-summary')).toContain('1 written');
    await expect.poll(() => sandboxName(id)).toBe('Renamed by e2e');

    await expect.poll(() => ask('name', `FROM stripe.customers WHERE id = '${id}'`)).toBe('Renamed by e2e');
    const relayedName = async () => {
      const relayed = await fetch(`${server.url}/api/relay/stripe/v1/customers/${id}`);
      return relayed.ok ? ((await relayed.json()) as { name?: unknown }).name : relayed.status;
    };
    await expect.poll(relayedName).toBe('Renamed by e2e');

    const entry = await historyEntry(sql);
    await expect.poll(() => entry.getAttribute('data-status'), { timeout: 10_000 }).toBe('executed');
    await expect.poll(() => entry.textContent()).toContain('1 written');
    await expect.poll(() => page.getByTestId('mutation-pending-count').count()).toBe(0);
  });

  it('replaces the written review with the error when the next UPDATE is refused', async () => {
    const review = page.getByTestId('mutation-review');
    await expect.poll(() => review.getByTestId('mutation-results').getAttribute('data-final')).toBe('true');
    await runSql(page, "UPDATE stripe.customers SET name = 'Nobody' WHERE id = 'cus_does_not_exist'");
    await expect.poll(() => textOf(page, 'query-error'), { timeout: 30_000 }).toContain('No rows match');
    await expect.poll(() => review.count()).toBe(0);
  });

  it('leaves the data unchanged on Cancel, and logs the mutation as cancelled', async () => {
    const id = await ask('id', 'FROM stripe.customers WHERE name IS NOT NULL ORDER BY id DESC LIMIT 1');
    const oldName = await ask('name', `FROM stripe.customers WHERE id = '${id}'`);
    const sql = `UPDATE stripe.customers SET name = 'Never written' WHERE id = '${id}'`;
    await runSql(page, sql);
    const card = page.getByTestId('mutation-card').filter({ hasText: `${id}` });
    await card.getByTestId('mutation-cancel').click();
    await card.getByTestId('mutation-cancelled').waitFor({ timeout: 10_000 });

    await expect.poll(() => sandboxName(id)).toBe(oldName);
    await expect.poll(() => ask('name', `FROM stripe.customers WHERE id = '${id}'`)).toBe(oldName);
    const entry = await historyEntry(sql);
    await expect.poll(() => entry.getAttribute('data-status'), { timeout: 10_000 }).toBe('cancelled');
  });
  it('lists a dismissed preview as pending, and confirms it from the Pending list', async () => {
    const id = await ask('id', 'FROM stripe.customers WHERE name IS NOT NULL ORDER BY id LIMIT 1 OFFSET 1');
    const sql = `UPDATE stripe.customers SET name = 'Confirmed from the list' WHERE id = '${id}'`;
    await runSql(page, sql);
    // The previous test's (cancelled) review may still be open: wait for this statement's own.
    await page
      .getByTestId('mutation-review')
      .filter({ hasText: 'Confirmed from the list' })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Close the review' }).click();
    await expect.poll(() => page.getByTestId('mutation-review').count()).toBe(0);
    await expect.poll(() => textOf(page, 'mutation-pending-count'), { timeout: 10_000 }).toBe('1');

    if ((await page.getByTestId('mutation-log').count()) === 0)
      await page.getByTestId('mutations-toggle').click();
    await page.getByTestId('mutation-tab-pending').click();
    const item = page.getByTestId('mutation-pending').locator('li', { hasText: sql });
    await expect.poll(() => item.getAttribute('data-status')).toBe('pending');
    await item.getByRole('button', { name: 'Confirm' }).click();
    const results = page.getByTestId('mutation-review').getByTestId('mutation-results');
    await expect.poll(() => results.getAttribute('data-final'), { timeout: 60_000 }).toBe('true');
    await expect
      .poll(() => results.getByTestId('mutation-result-row').first().getAttribute('data-status'))
      .toBe('ok');
    await expect.poll(() => sandboxName(id)).toBe('Confirmed from the list');
    await expect.poll(() => page.getByTestId('mutation-pending-count').count()).toBe(0);
  });
});
