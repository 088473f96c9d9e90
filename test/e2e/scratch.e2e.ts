// The scratch schema in Chromium: a table created from the editor shows in the sidebar and survives a reload (OPFS).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstCell, openApp, runSql, textOf, valueOf, waitReady, type App } from './browser.ts';

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

  it('a 4-statement script lists 4 outcomes above the last result; a row click puts the cursor on its line', async () => {
    await runSql(
      page,
      [
        'CREATE OR REPLACE TABLE scratch.four AS SELECT id FROM stripe.customers LIMIT 5;',
        'INSERT INTO scratch.four SELECT id FROM stripe.customers LIMIT 2;',
        '-- a comment line',
        'SELECT 42 AS answer;',
        'SELECT count(*) AS n FROM scratch.four',
      ].join('\n'),
    );
    const outcomes = page.getByTestId('outcome');
    await expect.poll(() => outcomes.count(), { timeout: 30_000 }).toBe(4);
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('7');
    const rows = await outcomes.evaluateAll((trs) =>
      trs.map((tr) => [
        tr.getAttribute('data-line'),
        tr.getAttribute('data-status'),
        tr.querySelector('td:nth-child(5)')?.textContent?.trim(),
      ]),
    );
    expect(rows).toEqual([
      ['1', 'ok', '5 changed'],
      ['2', 'ok', '2 changed'],
      ['4', 'ok', '1 row'],
      ['5', 'ok', '1 row'],
    ]);
    await outcomes.nth(2).click();
    await expect
      .poll(() => page.locator('.cm-activeLine').first().textContent())
      .toBe('SELECT 42 AS answer;');
  });

  it('a failing line-3 statement is named; the outcomes before it stay listed, the scratch change is kept', async () => {
    await runSql(
      page,
      'SELECT 1;\nCREATE OR REPLACE TABLE scratch.half AS SELECT 1 AS a;\nSELECT nope FROM scratch.half;\nSELECT 4',
    );
    await expect
      .poll(() => textOf(page, 'query-error'), { timeout: 30_000 })
      .toMatch(/^Query failed\s*Statement 3 of 4 \(line 3\) failed: Binder Error/);
    const outcomes = page.getByTestId('outcome');
    expect(await outcomes.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual([
      'ok',
      'kept',
      'failed',
      'not_run',
    ]);
    await runSql(page, 'SELECT a FROM scratch.half');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('1');
    await expect.poll(() => page.getByTestId('script-outcomes').count()).toBe(0);
  });

  it("a script's writes are previewed as one review beside its last result", async () => {
    const id = await valueOf(page, 'SELECT min(id) FROM stripe.customers');
    await runSql(
      page,
      `SELECT 1 AS one;\nUPDATE stripe.customers SET name = 'Script E2E' WHERE id = '${id}';\nSELECT 2 AS two`,
    );
    await page.getByTestId('mutation-review').waitFor({ timeout: 30_000 });
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('2');
    const outcomes = page.getByTestId('outcome');
    expect(
      await outcomes.evaluateAll((trs) =>
        trs.map((tr) => [tr.querySelector('td:nth-child(3)')?.textContent, tr.getAttribute('data-status')]),
      ),
    ).toEqual([
      ['read', 'ok'],
      ['write preview', 'ok'],
      ['read', 'ok'],
    ]);
    await page.getByTestId('mutation-cancel').first().click();
    await page.getByTestId('mutation-cancelled').waitFor({ timeout: 30_000 });
    expect(await valueOf(page, `SELECT name FROM stripe.customers WHERE id = '${id}'`)).not.toBe(
      'Script E2E',
    );
  });
});
