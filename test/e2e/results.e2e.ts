// e2e: the results panel in Chromium: 100k-row virtual grid, RFC 4180 CSV, sort, copy, nested values, chart, load more.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, runSql, textOf, type App } from './browser.ts';

let app: App;
let page: Page;

const grid = () => page.getByTestId('results-grid');

/** Text of data column `col` (1-based) in every rendered row. */
function column(col: number): Promise<string[]> {
  return grid()
    .locator(`tbody tr td:nth-child(${col + 1})`)
    .allTextContents()
    .then((cells) => cells.map((c) => c.trim()));
}

/** Runs SQL and waits until the grid shows a column with this exact header name. */
async function show(sql: string, header: string): Promise<void> {
  await runSql(page, sql);
  await grid()
    .locator('thead th .name', { hasText: new RegExp(`^${header}$`) })
    .waitFor({ timeout: 30_000 });
}

beforeAll(async () => {
  app = await openApp({
    prepare: (context, server) =>
      context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url }),
  });
  ({ page } = app);
});

afterAll(() => app?.close());

describe('the results panel', () => {
  it('scrolls a 100k-row result while rendering only a window of rows', async () => {
    await page.getByLabel('Max rows').selectOption('100000');
    await show('SELECT range AS n, range * 2 AS doubled FROM range(100000)', 'doubled');
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe('100,000 rows');
    expect(await page.getByTestId('truncated').count()).toBe(0);

    await grid().evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(async () => (await column(1)).at(-1), { timeout: 10_000 }).toBe('99999');
    await expect.poll(async () => (await column(2)).at(-1)).toBe('199998');
    expect(await grid().locator('tr').count()).toBeLessThan(200);

    await grid().evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await expect.poll(async () => Number((await column(1))[0]), { timeout: 10_000 }).toBeGreaterThan(40_000);
    expect(await grid().locator('tr').count()).toBeLessThan(200);
    // Numbers are right-aligned. Looked up and measured in one evaluation, polled: the window
    // may still swap rows after the scroll, and a detached cell has no computed style.
    await expect
      .poll(() =>
        grid().evaluate((el) => {
          const td = el.querySelector('tbody td.number');
          return td?.isConnected ? getComputedStyle(td).textAlign : 'no cell';
        }),
      )
      .toBe('right');
  });

  it('loads more rows of a truncated result', async () => {
    await page.getByLabel('Max rows').selectOption('1000');
    await show('SELECT range AS k FROM range(2500)', 'k');
    await expect.poll(() => textOf(page, 'truncated'), { timeout: 30_000 }).toBe('showing 1,000 of 2,500');
    // Sorting applies to the loaded rows, and survives loading more.
    const header = grid().locator('thead th', { hasText: 'k' }).getByRole('button');
    await header.click();
    await header.click();
    await expect.poll(async () => (await column(1))[0]).toBe('999');
    expect(await textOf(page, 'sorted')).toBe('sorted by k ↓ (loaded rows)');
    await page.getByTestId('load-more').click();
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe('2,500 rows');
    expect(await page.getByTestId('truncated').count()).toBe(0);
    await expect.poll(async () => (await column(1))[0]).toBe('2499');
    expect(await textOf(page, 'sorted')).toBe('sorted by k ↓');
  });

  it('exports RFC 4180 CSV: NULL, comma, quote, newline and empty string', async () => {
    await show(
      `SELECT * FROM (VALUES (1, 'plain', NULL), (2, 'a,b', 'say "hi"'), (3, e'two\\nlines', ''), (4, NULL, 'x')) t(id, text_value, other)`,
      'other',
    );
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe('4 rows');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    expect(download.suggestedFilename()).toBe('dinobase-result.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toBe(
      'id,text_value,other\r\n' +
        '1,plain,\r\n' +
        '2,"a,b","say ""hi"""\r\n' +
        '3,"two\nlines",""\r\n' +
        '4,,x\r\n',
    );
  });

  it('offers Parquet export only as a disabled button that says why', async () => {
    const parquet = page.getByTestId('export-parquet');
    expect(await parquet.isDisabled()).toBe(true);
    expect(await parquet.locator('..').getAttribute('title')).toContain('parquet extension');
    await runSql(page, "COPY (SELECT 1) TO 'x.parquet' (FORMAT parquet)");
    await expect
      .poll(() => textOf(page, 'query-error'), { timeout: 30_000 })
      .toContain('COPY statements are refused');
  });

  it('sorts by a column header click and copies a cell with Ctrl+C', async () => {
    await show(`SELECT * FROM (VALUES (3, 'c'), (1, 'a'), (NULL, 'n'), (2, 'b')) t(num, letter)`, 'letter');
    const header = grid().locator('thead th', { hasText: 'num' }).getByRole('button');
    await header.click();
    await expect.poll(() => column(1)).toEqual(['1', '2', '3', 'NULL']);
    expect(await column(2)).toEqual(['a', 'b', 'c', 'n']);
    await header.click();
    await expect.poll(() => column(1)).toEqual(['3', '2', '1', 'NULL']);
    expect(await grid().locator('thead th[aria-sort="descending"] .name').textContent()).toBe('num');

    await grid().locator('tbody tr').nth(1).locator('td').nth(2).click();
    await page.keyboard.press('ControlOrMeta+C');
    await expect.poll(() => page.getByTestId('copy-toast').getAttribute('data-copied')).toBe('b');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('b');

    // The row-number cell selects the whole row, copied as tab-separated values.
    await grid().locator('tbody tr').nth(0).locator('td.rownum').click();
    await page.keyboard.press('ControlOrMeta+C');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('3\tc');

    // The context menu copies a row as JSON.
    await grid().locator('tbody tr').nth(2).locator('td').nth(1).click({ button: 'right' });
    await page.getByTestId('grid-menu').getByRole('menuitem', { name: 'Copy row as JSON' }).click();
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toBe('{"num":1,"letter":"a"}');
  });

  it('shows LIST and STRUCT values compactly and expands them on click', async () => {
    await show(
      `SELECT [1, 2, 3] AS list_value, {'name': 'x', 'tags': ['a', 'b']} AS struct_value, TIMESTAMP '2024-05-06 07:08:09' AS at`,
      'at',
    );
    const cells = grid().locator('tbody tr').first().locator('td');
    expect((await cells.nth(1).textContent())?.trim()).toBe('⤢ [1, 2, 3]');
    expect((await cells.nth(2).textContent())?.trim()).toBe("⤢ {name: 'x', tags: ['a', 'b']}");
    expect(await cells.nth(3).getAttribute('class')).toContain('temporal');
    expect((await cells.nth(3).textContent())?.trim()).toBe('2024-05-06 07:08:09');
    await cells.nth(2).getByRole('button', { name: 'Expand value' }).click();
    const detail = page.getByTestId('cell-detail');
    await detail.waitFor();
    expect(JSON.parse((await detail.locator('pre').textContent()) ?? '')).toEqual({
      name: 'x',
      tags: ['a', 'b'],
    });
    await detail.getByRole('button', { name: 'Close value' }).click();
    expect(await detail.count()).toBe(0);
  });

  it('charts a group-by as bars, a time series as a line, and follows the type override', async () => {
    await page.getByRole('button', { name: 'Load sample data' }).click();
    await page.getByTestId('source-stripe').waitFor({ timeout: 60_000 });
    await show(
      `SELECT h.lifecyclestage AS stage, count(*) AS customers
       FROM stripe.customers c JOIN hubspot.contacts h ON h.email = c.email GROUP BY ALL ORDER BY customers DESC`,
      'customers',
    );
    await page.getByTestId('view-chart').click();
    const chart = page.getByTestId('chart');
    await chart.locator('svg').first().waitFor({ timeout: 30_000 });
    expect(await chart.getAttribute('data-chart-type')).toBe('bar');
    await expect.poll(() => chart.locator('g[aria-label="bar"] rect').count()).toBeGreaterThan(1);

    await page.getByTestId('chart-type').selectOption('line');
    await expect.poll(() => chart.getAttribute('data-chart-type')).toBe('line');
    // A scatter needs two numeric columns: the chart says so instead of drawing nonsense.
    await page.getByTestId('chart-type').selectOption('scatter');
    await expect.poll(() => chart.getAttribute('data-chart-type')).toBe('none');
    expect(await chart.textContent()).toContain('Nothing to chart');

    await show(
      `SELECT d::DATE AS day, hash(d) % 100 AS n FROM range(DATE '2024-01-01', DATE '2024-03-01', INTERVAL 1 DAY) t(d)`,
      'n',
    );
    await page.getByTestId('view-chart').click();
    await expect.poll(() => chart.getAttribute('data-chart-type'), { timeout: 30_000 }).toBe('line');
    await expect.poll(() => chart.locator('g[aria-label="line"] path').count()).toBeGreaterThan(0);

    await page.getByTestId('view-table').click();
    await grid().waitFor();
  });
});
