// Shaping results in Chromium: chart picks per editor tab (kept over reloads), SVG/PNG download, panes and grid columns resized and remembered, BLOB cells.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, runSql, textOf, waitReady, type App } from './browser.ts';

/** As journey.e2e.ts: the run takes the screenshot, and replaces the committed one only when asked. */
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'dinobase-shots-'));

const SALES = `SELECT * FROM (VALUES
  (DATE '2024-01-01', 'eu', 'pro', 10), (DATE '2024-01-01', 'us', 'pro', 5), (DATE '2024-01-02', 'eu', 'free', 7),
  (DATE '2024-01-02', 'us', 'pro', 3), (DATE '2024-01-03', 'eu', 'pro', 4), (DATE '2024-01-03', 'us', 'free', 6)
) t(day, region, plan, amount)`;

let app: App;
let page: Page;

beforeAll(async () => {
  app = await openApp({
    prepare: async (context) =>
      (context.pages()[0] ?? (await context.newPage())).setViewportSize({ width: 1280, height: 800 }),
  });
  page = app.page;
});
afterAll(() => app?.close());

const chart = () => page.getByTestId('chart');
const grid = () => page.getByTestId('results-grid');
const marks = (selector: string) => chart().locator(selector).count();
const yTitle = async () =>
  (await chart().locator('g[aria-label="y-axis label"] text').allTextContents()).join(' ');
const header = (name: string) =>
  grid().locator('thead th', { has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
const width = async (locator: Locator) => (await locator.boundingBox())?.width ?? 0;
const height = async (locator: Locator) => (await locator.boundingBox())?.height ?? 0;

/** Runs SQL and waits until the grid (or chart) reports this many rows. */
async function show(sql: string, rows: string): Promise<void> {
  await runSql(page, sql);
  await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe(rows);
}

/** Drags from the centre of `handle` by (dx, dy) in steps, as a user's mouse would. */
async function drag(handle: Locator, dx: number, dy: number): Promise<void> {
  const box = (await handle.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 8 });
  await page.mouse.up();
}

/** Reloads the page and runs the active tab's SQL again, as a returning user would. */
async function reloadAndRun(rows: string): Promise<void> {
  await page.reload();
  await waitReady(page);
  await page.locator('.cm-content').focus();
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe(rows);
}

async function download(testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: file.suggestedFilename(), bytes: readFileSync((await file.path())!) };
}

describe('charts', () => {
  it('draws the picked x, y, series, aggregation and mark', async () => {
    await show(SALES, '6 rows');
    await page.getByTestId('view-chart').click();
    // Auto: a date and a number make a line, split by the first text column.
    await expect.poll(() => chart().getAttribute('data-chart-type'), { timeout: 30_000 }).toBe('line');
    await expect.poll(() => marks('g[aria-label="line"] path')).toBe(2);

    await page.getByTestId('chart-type').selectOption('bar');
    await page.getByTestId('chart-x').selectOption('plan');
    await page.getByTestId('chart-series').selectOption('none');
    await expect.poll(() => marks('g[aria-label="bar"] rect')).toBe(2);
    await expect.poll(yTitle).toContain('sum(amount)');

    await page.getByTestId('chart-agg').selectOption('count');
    await expect.poll(yTitle).toContain('count(amount)');
    await page.getByTestId('chart-series').selectOption('region');
    // pro: eu and us; free: eu and us, each a stacked segment.
    await expect.poll(() => marks('g[aria-label="bar"] rect')).toBe(4);

    await page.getByTestId('chart-type').selectOption('area');
    await page.getByTestId('chart-x').selectOption('day');
    await page.getByTestId('chart-agg').selectOption('max');
    await expect.poll(() => chart().getAttribute('data-chart-type')).toBe('area');
    await expect.poll(() => marks('g[aria-label="area"] path')).toBe(2);
    await expect.poll(yTitle).toContain('max(amount)');

    await page.getByTestId('chart-type').selectOption('scatter');
    await page.getByTestId('chart-agg').selectOption('none');
    await expect.poll(() => marks('g[aria-label="dot"] circle')).toBe(6);
  });

  it('keeps the picks with the editor tab across a re-run and a reload', async () => {
    await page.getByTestId('chart-type').selectOption('area');
    await page.getByTestId('chart-agg').selectOption('sum');
    await expect.poll(() => marks('g[aria-label="area"] path')).toBe(2);
    // A re-run with a column gone keeps the picks whose columns are still there.
    await show(SALES.replace('SELECT *', 'SELECT day, region, amount'), '6 rows');
    await expect.poll(() => chart().getAttribute('data-chart-type')).toBe('area');
    await expect.poll(() => page.getByTestId('chart-x').inputValue()).toBe('day');
    await show(SALES, '6 rows');
    // Saved with the tabs (after the typing pause) before the reload.
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('dinobase:editor-tabs') ?? ''))
      .toContain('"type":"area"');

    await reloadAndRun('6 rows');
    await expect.poll(() => chart().getAttribute('data-chart-type'), { timeout: 30_000 }).toBe('area');
    await expect.poll(() => page.getByTestId('chart-type').inputValue()).toBe('area');
    await expect.poll(() => page.getByTestId('chart-x').inputValue()).toBe('day');
    await expect.poll(() => page.getByTestId('chart-series').inputValue()).toBe('region');
    await expect.poll(() => page.getByTestId('chart-agg').inputValue()).toBe('sum');
    await expect.poll(() => marks('g[aria-label="area"] path')).toBe(2);

    // Another editor tab has its own chart: a new tab starts as a table, with automatic picks.
    await page.keyboard.press('Alt+N');
    await show(SALES, '6 rows');
    await expect.poll(() => page.getByTestId('view-table').getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('view-chart').click();
    await expect.poll(() => chart().getAttribute('data-chart-type')).toBe('line');
    await page
      .getByRole('button', { name: /^Close/ })
      .last()
      .click();
    await expect.poll(() => chart().getAttribute('data-chart-type')).toBe('area');
  });

  it('downloads the chart as a standalone SVG and as a PNG', async () => {
    await page.getByTestId('chart-type').selectOption('bar');
    await expect.poll(() => marks('g[aria-label="bar"] rect')).toBeGreaterThan(0);
    const svg = await download('chart-svg');
    expect(svg.name).toBe('dinobase-chart.svg');
    const text = svg.bytes.toString('utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(text).toContain('<rect');
    // The theme's colours are written in: the file does not depend on the app's stylesheet.
    expect(text).not.toContain('var(--accent)');
    // On the page's background, which the theme picked the text colour for (Plot's SVG is transparent).
    expect(text).toMatch(/^<svg[^>]*background: rgb\(/);

    const png = await download('chart-png');
    expect(png.name).toBe('dinobase-chart.png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Twice the drawn size: the PNG header's width is the SVG's at 2x.
    const drawn = await chart().locator('svg[viewBox]').first().getAttribute('width');
    expect(png.bytes.readUInt32BE(16)).toBe(Number(drawn) * 2);
    await page.screenshot({ path: join(SHOTS, 'shaping.png') });
    await page.getByTestId('view-table').click();
  });
});

describe('panes and columns', () => {
  it('resizes the sidebar by dragging or with the keyboard, and remembers it after a reload', async () => {
    const aside = page.locator('aside');
    const splitter = page.getByRole('separator', { name: 'Sidebar width' });
    const before = await width(aside);
    await drag(splitter, 120, 0);
    await expect.poll(() => width(aside)).toBeGreaterThan(before + 100);
    await splitter.focus();
    await page.keyboard.press('ArrowLeft');
    const now = Number(await splitter.getAttribute('aria-valuenow'));
    await expect.poll(() => width(aside)).toBeCloseTo(now, 0);

    await page.reload();
    await waitReady(page);
    await expect
      .poll(() => page.getByRole('separator', { name: 'Sidebar width' }).getAttribute('aria-valuenow'))
      .toBe(String(now));
    await expect.poll(() => width(page.locator('aside'))).toBeCloseTo(now, 0);
    // A double-click gives back the initial width.
    await page.getByRole('separator', { name: 'Sidebar width' }).dblclick();
    await expect.poll(() => width(page.locator('aside'))).toBeCloseTo(280, 0);
  });

  it('moves the editor/results split, and remembers it', async () => {
    const editor = page.locator('main .editor');
    const splitter = page.getByRole('separator', { name: 'Editor height' });
    const before = await height(editor);
    await drag(splitter, 0, 100);
    await expect.poll(() => height(editor)).toBeGreaterThan(before + 80);
    const share = await splitter.getAttribute('aria-valuenow');
    await page.reload();
    await waitReady(page);
    await expect
      .poll(() => page.getByRole('separator', { name: 'Editor height' }).getAttribute('aria-valuenow'))
      .toBe(share);
    await expect.poll(() => height(page.locator('main .editor'))).toBeGreaterThan(before + 80);
  });

  it('resizes a grid column by its header edge, and remembers it by column name', async () => {
    await show(`SELECT 1 AS narrow_col, 'x' AS other_col, 2 AS third_col`, '1 row');
    const before = await width(header('narrow_col'));
    await drag(header('narrow_col').getByTestId('column-resize'), 150, 0);
    await expect.poll(() => width(header('narrow_col'))).toBeGreaterThan(before + 120);
    const resized = await width(header('narrow_col'));

    await page.reload();
    await waitReady(page);
    await show(`SELECT 'other result' AS first_col, 5 AS narrow_col`, '1 row');
    await expect.poll(() => width(header('narrow_col'))).toBeCloseTo(resized, 0);
  });
});

describe('BLOB cells', () => {
  it('shows the size, a hex preview, and downloads the bytes', async () => {
    await show(`SELECT '\\xDE\\xAD\\xBE\\xEF'::BLOB AS payload`, '1 row');
    const cell = grid().locator('tbody td.binary').first();
    await expect.poll(() => cell.textContent()).toContain('BLOB 4 bytes');
    await cell.locator('[data-expand]').click();
    const detail = page.getByTestId('cell-detail');
    await expect
      .poll(() => detail.getByTestId('hex-dump').textContent())
      .toBe('00000000  de ad be ef                                       |....|');
    await expect.poll(() => detail.getByTestId('blob-size').textContent()).toBe('4 bytes');
    const blob = await download('blob-download');
    expect(blob.name).toBe('payload.bin');
    expect([...blob.bytes]).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });
});
