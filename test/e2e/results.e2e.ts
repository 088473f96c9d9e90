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

/** What the page last wrote to the clipboard. */
const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

/** The chart's y-axis title (its column name), or '' while no chart is drawn. */
async function yAxisTitle(): Promise<string> {
  const title = page.getByTestId('chart').locator('g[aria-label="y-axis label"] text');
  return (await title.count()) > 0 ? ((await title.first().textContent()) ?? '') : '';
}

/** Cells and rows highlighted as selected. */
const selectedCells = () => grid().locator('td.on, tr.selected').count();

beforeAll(async () => {
  app = await openApp({
    prepare: async (context, server) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      // Exports take the download path (a native save dialog cannot be driven); export.e2e.ts covers it.
      await context.addInitScript(
        () => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker,
      );
    },
  });
  ({ page } = app);
});

afterAll(() => app?.close());

describe('the results panel', () => {
  it('scrolls a 100k-row result while rendering only a window of rows', async () => {
    await page.getByLabel('Max rows').selectOption('100000');
    await show('SELECT range AS n, range * 2 AS doubled FROM range(100000)', 'doubled');
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe('100,000 rows');
    await expect.poll(() => page.getByTestId('truncated').count()).toBe(0);

    await grid().evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(async () => (await column(1)).at(-1), { timeout: 10_000 }).toBe('99999');
    await expect.poll(async () => (await column(2)).at(-1)).toBe('199998');
    await expect.poll(() => grid().locator('tr').count()).toBeLessThan(200);

    await grid().evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await expect.poll(async () => Number((await column(1))[0]), { timeout: 10_000 }).toBeGreaterThan(40_000);
    await expect.poll(() => grid().locator('tr').count()).toBeLessThan(200);
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
    await expect.poll(() => textOf(page, 'sorted')).toBe('sorted by k ↓ (loaded rows)');
    await page.getByTestId('load-more').click();
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe('2,500 rows');
    await expect.poll(() => page.getByTestId('truncated').count()).toBe(0);
    await expect.poll(async () => (await column(1))[0]).toBe('2499');
    await expect.poll(() => textOf(page, 'sorted')).toBe('sorted by k ↓');
  });

  it('exports RFC 4180 CSV: NULL, comma, quote, newline and empty string', async () => {
    await show(
      `SELECT * FROM (VALUES (1, 'plain', NULL), (2, 'a,b', 'say "hi"'), (3, e'two\\nlines', ''), (4, NULL, 'x')) t(id, text_value, other)`,
      'other',
    );
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe('4 rows');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByTestId('export-menu')
        .click()
        .then(() => page.getByTestId('export-csv').click()),
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

  it('refuses COPY … TO in the editor (Export is the way out)', async () => {
    await runSql(page, "COPY (SELECT 1) TO 'x.parquet' (FORMAT parquet)");
    await expect
      .poll(() => textOf(page, 'query-error'), { timeout: 30_000 })
      .toContain('COPY statements are refused');
  });

  it('says when the grid shows the last of several statements, and only then', async () => {
    await show("SELECT 1 AS first_one; SELECT 'a;b' AS second_one -- a ; in a comment", 'second_one');
    await expect.poll(() => textOf(page, 'statements')).toBe('result of the last of 2 statements');
    await show('SELECT 3 AS only_one;', 'only_one');
    await expect.poll(() => page.getByTestId('statements').count()).toBe(0);
  });

  it('sorts by a column header click and copies a cell with Ctrl+C', async () => {
    await show(`SELECT * FROM (VALUES (3, 'c'), (1, 'a'), (NULL, 'n'), (2, 'b')) t(num, letter)`, 'letter');
    const header = grid().locator('thead th', { hasText: 'num' }).getByRole('button');
    await header.click();
    await expect.poll(() => column(1)).toEqual(['1', '2', '3', 'NULL']);
    await expect.poll(() => column(2)).toEqual(['a', 'b', 'c', 'n']);
    await header.click();
    await expect.poll(() => column(1)).toEqual(['3', '2', '1', 'NULL']);
    await expect
      .poll(() => grid().locator('thead th[aria-sort="descending"] .name').textContent())
      .toBe('num');

    await grid().locator('tbody tr').nth(1).locator('td').nth(2).click();
    await page.keyboard.press('ControlOrMeta+C');
    await expect.poll(() => page.getByTestId('copy-toast').getAttribute('data-copied')).toBe('b');
    await expect.poll(clipboard).toBe('b');

    // The row-number cell selects the whole row, copied as tab-separated values.
    await grid().locator('tbody tr').nth(0).locator('td.rownum').click();
    await page.keyboard.press('ControlOrMeta+C');
    await expect.poll(clipboard).toBe('3\tc');

    // The context menu copies a row as JSON.
    await grid().locator('tbody tr').nth(2).locator('td').nth(1).click({ button: 'right' });
    await page.getByTestId('grid-menu').getByRole('menuitem', { name: 'Copy row as JSON' }).click();
    await expect.poll(clipboard).toBe('{"num":1,"letter":"a"}');
  });

  it('copies the cell selected now with the Copy button, and Esc clears the selection', async () => {
    await show(`SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(num, letter)`, 'letter');
    const copyButton = page.getByRole('button', { name: 'Copy', exact: true });
    const cell = (row: number, col: number) => grid().locator('tbody tr').nth(row).locator('td').nth(col);
    await cell(0, 2).click();
    await copyButton.click();
    await expect.poll(clipboard).toBe('a');
    await cell(1, 1).click();
    await copyButton.click();
    await expect.poll(clipboard).toBe('2');
    // Focus is on the Copy button now, not the grid: Esc still clears the selection, and Copy takes everything.
    await page.keyboard.press('Escape');
    await expect.poll(selectedCells).toBe(0);
    await copyButton.click();
    await expect.poll(clipboard).toBe('num\tletter\n1\ta\n2\tb');
    // In the grid itself too.
    await cell(1, 2).click();
    await expect.poll(selectedCells).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(selectedCells).toBe(0);
  });

  it('gives a single column the width, not the row numbers', async () => {
    await show('SELECT 42 AS only_column', 'only_column');
    const widths = () =>
      grid().evaluate((el) => ({
        grid: el.clientWidth,
        rownum: el.querySelector('thead th.rownum')?.getBoundingClientRect().width ?? 0,
        data: el.querySelector('thead th:nth-child(2)')?.getBoundingClientRect().width ?? 0,
      }));
    await expect.poll(async () => (await widths()).rownum).toBeLessThan(80);
    await expect.poll(async () => (await widths()).data / (await widths()).grid).toBeGreaterThan(0.9);
  });

  it('shows LIST and STRUCT values compactly and expands them on click', async () => {
    await show(
      `SELECT [1, 2, 3] AS list_value, {'name': 'x', 'tags': ['a', 'b']} AS struct_value, TIMESTAMP '2024-05-06 07:08:09' AS at`,
      'at',
    );
    const cells = grid().locator('tbody tr').first().locator('td');
    const text = async (i: number) => (await cells.nth(i).textContent())?.trim();
    await expect.poll(() => text(1)).toBe('⤢ [1, 2, 3]');
    await expect.poll(() => text(2)).toBe("⤢ {name: 'x', tags: ['a', 'b']}");
    await expect.poll(() => cells.nth(3).getAttribute('class')).toContain('temporal');
    await expect.poll(() => text(3)).toBe('2024-05-06 07:08:09');
    await cells.nth(2).getByRole('button', { name: 'Expand value' }).click();
    const detail = page.getByTestId('cell-detail');
    await expect
      .poll(async () => JSON.parse((await detail.locator('pre').textContent()) ?? 'null') as unknown)
      .toEqual({ name: 'x', tags: ['a', 'b'] });
    await detail.getByRole('button', { name: 'Close value' }).click();
    await expect.poll(() => detail.count()).toBe(0);
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
    await expect.poll(() => chart.getAttribute('data-chart-type')).toBe('bar');
    await expect.poll(() => chart.locator('g[aria-label="bar"] rect').count()).toBeGreaterThan(1);

    await page.getByTestId('chart-type').selectOption('line');
    await expect.poll(() => chart.getAttribute('data-chart-type')).toBe('line');
    // A scatter needs two numeric columns: the chart says so instead of drawing nonsense.
    await page.getByTestId('chart-type').selectOption('scatter');
    await expect.poll(() => chart.getAttribute('data-chart-type')).toBe('none');
    await expect.poll(() => chart.textContent()).toContain('Nothing to chart');
    await page.getByTestId('chart-type').selectOption('auto');

    // The Chart view stays on for the next run.
    await runSql(
      page,
      `SELECT d::DATE AS day, hash(d) % 100 AS per_day FROM range(DATE '2024-01-01', DATE '2024-03-01', INTERVAL 1 DAY) t(d)`,
    );
    await expect.poll(() => yAxisTitle(), { timeout: 30_000 }).toContain('per_day');
    await expect.poll(() => chart.getAttribute('data-chart-type')).toBe('line');
    await expect.poll(() => chart.locator('g[aria-label="line"] path').count()).toBeGreaterThan(0);

    await page.getByTestId('view-table').click();
    await grid().waitFor();
  });

  it('keeps the Chart view across runs, per editor tab', async () => {
    const chart = page.getByTestId('chart');
    await show(`SELECT 'a' AS letter, 1 AS n`, 'n');
    await page.getByTestId('view-chart').click();
    await expect.poll(() => chart.getAttribute('data-chart-type'), { timeout: 30_000 }).toBe('bar');
    await runSql(page, `SELECT 'b' AS letter, 2 AS kept_as_chart`);
    await expect.poll(() => yAxisTitle(), { timeout: 30_000 }).toContain('kept_as_chart');
    await expect.poll(() => page.getByTestId('view-chart').getAttribute('aria-pressed')).toBe('true');

    // A new tab starts as a table; the first tab is still a chart.
    const tabs = page.getByTestId('editor-tab');
    const count = await tabs.count();
    await page.keyboard.press('Alt+N');
    await expect.poll(() => tabs.count()).toBe(count + 1);
    await show('SELECT 3 AS in_new_tab', 'in_new_tab');
    await expect.poll(() => page.getByTestId('view-table').getAttribute('aria-pressed')).toBe('true');
    await tabs
      .nth(count - 1)
      .getByRole('tab')
      .click();
    await expect.poll(() => chart.getAttribute('data-chart-type')).toBe('bar');
    await tabs
      .nth(count)
      .getByRole('button', { name: /^Close/ })
      .click();
    await expect.poll(() => tabs.count()).toBe(count);
    await page.getByTestId('view-table').click();
    await grid().waitFor();
  });

  it('keeps the x-axis title of a bar chart clear of its slanted labels', async () => {
    await show(
      `SELECT 'a rather long category name ' || i AS category, i AS amount FROM range(12) t(i)`,
      'amount',
    );
    await page.getByTestId('view-chart').click();
    const chart = page.getByTestId('chart');
    await expect.poll(() => chart.getAttribute('data-chart-type'), { timeout: 30_000 }).toBe('bar');
    const layout = () =>
      chart.evaluate((el) => {
        const labels = [...el.querySelectorAll('g[aria-label="x-axis tick label"] text')];
        const title = el.querySelector('g[aria-label="x-axis label"] text');
        return {
          labels: labels.length,
          labelsBottom: Math.max(...labels.map((t) => t.getBoundingClientRect().bottom)),
          titleTop: title?.getBoundingClientRect().top ?? 0,
        };
      });
    await expect.poll(async () => (await layout()).labels, { timeout: 30_000 }).toBe(12);
    await expect
      .poll(async () => {
        const { labelsBottom, titleTop } = await layout();
        return titleTop - labelsBottom;
      })
      .toBeGreaterThan(0);
    await page.getByTestId('view-table').click();
    await grid().waitFor();
  });
});
