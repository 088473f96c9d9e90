// e2e: the SQL editor in Chromium: live-catalog completion, query tabs, format, cancel shortcut, persistent history.
import type { Page } from 'playwright-core';
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
    await page.keyboard.type('lifecycl');
    await expect.poll(completionLabels, { timeout: 30_000 }).toContain('lifecyclestage');
    // CodeMirror ignores Enter for 75 ms after the popup opens (interactionDelay), so a fast typist never picks by accident.
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter');
    expect((await editorLines()).join('\n')).toBe('SELECT lifecyclestage');
  });

  it('completes columns after a table alias, and tables after a schema', async () => {
    await typeSql('SELECT c.email FROM stripe.customers c WHERE c.');
    await page.keyboard.type('e');
    await expect.poll(completionLabels, { timeout: 30_000 }).toContain('email');
    const aliasLabels = await completionLabels();
    expect(aliasLabels).not.toContain('lifecyclestage');

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

  it('cancels a running query with Ctrl+.', async () => {
    await runSql(page, 'SELECT count(*) FROM range(100000000000) a, range(10) b');
    await expect.poll(() => textOf(page, 'status')).toContain('Running');
    await page.keyboard.press('ControlOrMeta+.');
    await expect.poll(() => textOf(page, 'query-error'), { timeout: 30_000 }).toContain('Query interrupted');
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
    expect(await entries.nth(1).textContent()).toContain("'history one'");

    await page.getByPlaceholder('Filter').fill('history one');
    await expect.poll(() => entries.count()).toBe(1);
    await entries.first().getByRole('button', { name: 'Run again' }).click();
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('history one');
    await expect.poll(editorLines).toEqual(["SELECT 'history one' AS marker"]);
  });
});
