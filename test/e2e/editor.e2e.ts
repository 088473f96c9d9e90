// e2e: the SQL editor in Chromium: live-catalog completion, query tabs, format, dark highlighting, running and cancel, history.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstCell, openApp, runSql, textOf, waitReady, type App } from './browser.ts';

let app: App;
let page: Page;

/** Replaces the editor's text without running it, leaving the cursor at the end. */
async function typeSql(text: string): Promise<void> {
  await page.locator('.cm-content').focus();
  await page.keyboard.press('Escape');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Labels in the open completion popup, asking for completion explicitly (Ctrl+Space) if none is open. */
async function completionLabels(): Promise<string[]> {
  const popup = page.locator('.cm-tooltip-autocomplete');
  if ((await popup.count()) === 0) await page.keyboard.press('Control+Space');
  return popup.locator('.cm-completionLabel').allTextContents();
}

/** The editor's lines as text (CodeMirror renders one .cm-line per line; the placeholder is not text). */
const editorLines = () =>
  page.locator('.cm-content .cm-line').evaluateAll((lines) =>
    lines.map((line) => {
      const copy = line.cloneNode(true) as Element;
      copy.querySelectorAll('.cm-placeholder').forEach((p) => p.remove());
      return copy.textContent ?? '';
    }),
  );

/** The popup's highlighted option. */
const highlighted = () =>
  page.locator('.cm-tooltip-autocomplete li[aria-selected] .cm-completionLabel').textContent();

/**
 * Waits until the open completion popup takes keys, leaving its highlight where it was. CodeMirror ignores them
 * for 75 ms after it opens (interactionDelay): until then ArrowDown does not move the highlight.
 */
async function popupTakesKeys(): Promise<void> {
  await expect.poll(async () => (await completionLabels()).length, { timeout: 30_000 }).toBeGreaterThan(1);
  const first = await highlighted();
  await expect
    .poll(async () => {
      await page.keyboard.press('ArrowDown');
      return highlighted();
    })
    .not.toBe(first);
  await page.keyboard.press('ArrowUp');
  await expect.poll(highlighted).toBe(first);
}

type Rgb = [number, number, number];

/** The colour Chromium painted a locator's text in: its pixel farthest from the background (the top-left pixel). */
async function inkColour(locator: Locator): Promise<Rgb> {
  const png = (await locator.screenshot()).toString('base64');
  return page.evaluate(async (base64): Promise<Rgb> => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    const background = [data[0]!, data[1]!, data[2]!];
    let ink: Rgb = [data[0]!, data[1]!, data[2]!];
    let farthest = -1;
    for (let i = 0; i < data.length; i += 4) {
      const pixel: Rgb = [data[i]!, data[i + 1]!, data[i + 2]!];
      const distance = pixel.reduce((sum, v, k) => sum + Math.abs(v - background[k]!), 0);
      if (distance > farthest) [farthest, ink] = [distance, pixel];
    }
    return ink;
  }, png);
}

const distance = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const chroma = (c: Rgb) => Math.max(...c) - Math.min(...c);

/** A query that runs until it is cancelled. */
const ENDLESS = 'SELECT count(*) FROM range(100000000000) a, range(10) b';

beforeAll(async () => {
  app = await openApp();
  ({ page } = app);
  await page.getByRole('button', { name: 'Load sample data' }).click();
  await page.getByTestId('source-hubspot').waitFor({ timeout: 60_000 });
});

afterAll(() => app?.close());

describe('the SQL editor', () => {
  it('completes a bare column name from the synced catalog', async () => {
    await typeSql('SELECT ');
    // A prefix several names match (list_filter, nullif…), so ArrowDown can show that the popup takes keys.
    await page.keyboard.type('lif');
    await expect.poll(completionLabels, { timeout: 30_000 }).toContain('lifecyclestage');
    await expect.poll(highlighted).toBe('lifecyclestage');
    await popupTakesKeys();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await editorLines()).join('\n')).toBe('SELECT lifecyclestage');
  });

  it('closes the completion popup when Ctrl+Enter runs the query', async () => {
    await typeSql('SELECT 1 AS ');
    await page.keyboard.type('lifecycl');
    await expect.poll(completionLabels, { timeout: 30_000 }).toContain('lifecyclestage');
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe('1 row');
    await expect.poll(() => page.locator('.cm-tooltip-autocomplete').count()).toBe(0);
  });

  it('completes columns after a table alias, and tables after a schema', async () => {
    await typeSql('SELECT c.email FROM stripe.customers c WHERE c.');
    await page.keyboard.type('e');
    await expect.poll(completionLabels, { timeout: 30_000 }).toContain('email');
    await expect.poll(completionLabels).not.toContain('lifecyclestage');

    await typeSql('SELECT * FROM hubspot.');
    await page.keyboard.type('con');
    await expect.poll(completionLabels, { timeout: 30_000 }).toContain('contacts');
  });

  it('completes DuckDB functions from the engine', async () => {
    await typeSql('SELECT ');
    await page.keyboard.type('list_conta');
    await expect.poll(completionLabels, { timeout: 30_000 }).toContain('list_contains');
  });

  it('opens query tabs with Alt+N, each keeping its own SQL, and runs the selection', async () => {
    await typeSql('SELECT 1 AS first_tab');
    const tabs = page.getByTestId('editor-tab');
    const before = await tabs.count();
    await page.keyboard.press('Alt+N');
    await expect.poll(() => tabs.count()).toBe(before + 1);
    await expect.poll(editorLines).toEqual(['']);
    await runSql(page, 'SELECT 2 AS second_tab');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('2');

    await tabs
      .nth(before - 1)
      .getByRole('tab')
      .click();
    await expect.poll(editorLines).toEqual(['SELECT 1 AS first_tab']);
    await tabs.nth(before).getByRole('tab').click();
    await expect.poll(editorLines).toEqual(['SELECT 2 AS second_tab']);
    await expect.poll(() => firstCell(page)).toBe('2');

    // Selecting "SELECT 7" inside a longer text runs only the selection.
    await typeSql('SELECT 7 AS picked; SELECT 8 AS other');
    await page.keyboard.press('ControlOrMeta+Home');
    for (let i = 0; i < 'SELECT 7 AS picked'.length; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('7');

    // Shift+Ctrl+Enter runs the statement under the cursor.
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.press('Shift+ControlOrMeta+Enter');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('8');

    await tabs
      .nth(before)
      .getByRole('button', { name: /^Close/ })
      .click();
    await expect.poll(() => tabs.count()).toBe(before);
  });

  it('highlights SQL keywords in the dark theme too', async () => {
    await typeSql('SELECT\nplain_words');
    const keyword = page
      .locator('.cm-content .cm-line')
      .first()
      .locator('span', { hasText: /^SELECT$/ });
    const plain = page.locator('.cm-content .cm-line').nth(1);
    await expect.poll(() => keyword.count()).toBe(1);
    const light = await inkColour(keyword);
    const dark = async () => {
      const [word, text] = [await inkColour(keyword), await inkColour(plain)];
      return {
        word,
        text,
        coloured: chroma(word) > 40,
        unlikeText: distance(word, text) > 60,
        unlikeLight: distance(word, light) > 60,
      };
    };
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await expect.poll(dark).toMatchObject({ coloured: true, unlikeText: true, unlikeLight: true });
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  it('formats SQL with Shift+Alt+F and with the Format button', async () => {
    await typeSql('select a,b from (select 1 as a, 2 as b) t where a=1');
    await page.keyboard.press('Shift+Alt+F');
    await expect
      .poll(editorLines)
      .toEqual([
        'SELECT',
        '  a,',
        '  b',
        'FROM',
        '  (',
        '    SELECT',
        '      1 AS a,',
        '      2 AS b',
        '  ) t',
        'WHERE',
        '  a = 1',
      ]);
    await typeSql('select 1 as x');
    await page.getByRole('button', { name: 'Format' }).click();
    await expect.poll(editorLines).toEqual(['SELECT', '  1 AS x']);
  });

  it('shows a running query with its elapsed time in the results, and cancels it from there', async () => {
    await runSql(page, ENDLESS);
    const running = page.getByTestId('query-running');
    await expect.poll(() => textOf(page, 'query-running'), { timeout: 30_000 }).toMatch(/Running… *\d/);
    const first = await textOf(page, 'query-running');
    await expect.poll(() => textOf(page, 'query-running'), { timeout: 30_000 }).not.toBe(first);
    await running.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => running.count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => textOf(page, 'query-cancelled')).toContain('Query cancelled');
  });

  it('cancels a running query with Ctrl+., headed "Query cancelled" and not as a failure', async () => {
    await runSql(page, "SELECT 'before the cancel' AS kept");
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('before the cancel');
    await runSql(page, ENDLESS);
    await expect.poll(() => textOf(page, 'status')).toContain('Running');
    await page.keyboard.press('ControlOrMeta+.');
    const cancelled = page.getByTestId('query-cancelled');
    await expect
      .poll(() => cancelled.locator('strong').textContent(), { timeout: 30_000 })
      .toBe('Query cancelled');
    await expect.poll(() => cancelled.getAttribute('role')).toBe('status');
    await expect.poll(() => page.getByTestId('query-error').count()).toBe(0);
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    // The previous result stays under the notice.
    await expect.poll(() => firstCell(page)).toBe('before the cancel');
  });

  it('keeps query history across a reload, and re-runs an entry', async () => {
    await runSql(page, "SELECT 'history one' AS marker");
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('history one');
    await runSql(page, "SELECT 'history two' AS marker");
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('history two');

    await page.reload();
    await waitReady(page);
    await page.getByRole('button', { name: 'History' }).click();
    const entries = page.getByTestId('history-entry');
    await expect.poll(() => entries.first().textContent(), { timeout: 10_000 }).toContain("'history two'");
    await expect.poll(() => entries.nth(1).textContent()).toContain("'history one'");

    await page.getByPlaceholder('Filter').fill('history one');
    await expect.poll(() => entries.count()).toBe(1);
    await entries.first().getByRole('button', { name: 'Run again' }).click();
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('history one');
    await expect.poll(editorLines).toEqual(["SELECT 'history one' AS marker"]);
  });
});
