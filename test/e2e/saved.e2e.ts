// Saved queries in Chromium: Ctrl/Cmd+S names and saves, the tab remembers it, the library searches, survives a reload, renames, duplicates, deletes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstCell, openApp, waitReady, type App } from './browser.ts';

/** As journey.e2e.ts: the run takes the screenshot, and replaces the committed one only when asked. */
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'dinobase-shots-'));
const CUSTOMERS = `SELECT h.lifecyclestage, count(*) AS customers
FROM stripe.customers c JOIN hubspot.contacts h ON h.email = c.email
GROUP BY ALL ORDER BY customers DESC`;

let app: App;
let page: Page;

beforeAll(async () => {
  app = await openApp({
    prepare: async (context) =>
      (context.pages()[0] ?? (await context.newPage())).setViewportSize({ width: 1440, height: 900 }),
  });
  page = app.page;
  await page.getByRole('button', { name: 'Load sample data' }).click();
  await page.getByTestId('source-hubspot').waitFor({ timeout: 60_000 });
});
afterAll(() => app?.close());

/** Replaces the active tab's SQL by typing, without running it. */
async function typeSql(sql: string): Promise<void> {
  const editor = page.locator('.cm-content');
  await editor.focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('Escape');
}

const activeTitle = async () =>
  (await page.getByTestId('editor-tab').getByRole('tab', { selected: true }).textContent())?.trim() ?? '';
const savedNames = async () =>
  (await page.getByTestId('saved-entry').locator('.name').allTextContents()).map((t) => t.trim());
const entry = (name: string) =>
  page
    .getByTestId('saved-entry')
    .filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
const search = () => page.getByRole('searchbox', { name: 'Search saved queries' });

describe('saved queries', () => {
  it('Ctrl/Cmd+S asks a name the first time, then overwrites the same saved query', async () => {
    await typeSql('SELECT 42 AS answer');
    await page.keyboard.press('ControlOrMeta+S');
    const dialog = page.getByTestId('save-dialog');
    await dialog.getByLabel('Save as').fill('Answer');
    await dialog.getByLabel('Save as').press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(activeTitle).toBe('Answer');

    await typeSql('SELECT 43 AS answer');
    await page.keyboard.press('ControlOrMeta+S');
    await page.getByRole('button', { name: 'Saved', exact: true }).click();
    await expect.poll(savedNames).toEqual(['Answer']);
    await expect.poll(() => entry('Answer').locator('.sql').textContent()).toBe('SELECT 43 AS answer');
    expect(await page.getByTestId('save-dialog').count()).toBe(0);
  });

  it('a taken name is refused with Replace offered; a second query saves under its own name', async () => {
    await page.getByRole('button', { name: 'New query tab' }).click();
    await typeSql("SELECT 'other' AS x");
    await page.keyboard.press('ControlOrMeta+S');
    const dialog = page.getByTestId('save-dialog');
    await dialog.getByLabel('Save as').fill('Answer');
    await dialog.getByLabel('Save as').press('Enter');
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain("'Answer' already exists");
    await dialog.getByRole('button', { name: 'Replace' }).waitFor();
    await dialog.getByLabel('Save as').fill('Other');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(savedNames).toEqual(['Answer', 'Other']);
    await expect.poll(() => entry('Answer').locator('.sql').textContent()).toBe('SELECT 43 AS answer');
  });

  it('searches name or SQL in any case', async () => {
    await search().fill('OTHER');
    await expect.poll(savedNames).toEqual(['Other']);
    await search().fill('43');
    await expect.poll(savedNames).toEqual(['Answer']);
    await search().fill('nothing like it');
    await expect.poll(savedNames).toEqual([]);
    await expect
      .poll(() => page.getByTestId('saved-panel').textContent())
      .toContain('No saved query matches');
    await search().fill('');
    await expect.poll(savedNames).toEqual(['Answer', 'Other']);
  });

  it('keeps the library and the tabs’ links across a reload (OPFS)', async () => {
    await page.reload();
    await waitReady(page);
    await page.getByRole('button', { name: 'Saved', exact: true }).click();
    await expect.poll(savedNames).toEqual(['Answer', 'Other']);
    await page.getByTestId('editor-tab').getByRole('tab', { name: 'Answer', exact: true }).click();
    // The tab is still the saved query: Ctrl+S overwrites without asking.
    await typeSql('SELECT 44 AS answer');
    await page.keyboard.press('ControlOrMeta+S');
    await expect.poll(() => entry('Answer').locator('.sql').textContent()).toBe('SELECT 44 AS answer');
    expect(await page.getByTestId('save-dialog').count()).toBe(0);
  });

  it('renames (the open tab follows), duplicates, opens a copy in a new tab and deletes after a confirm', async () => {
    await entry('Other').getByRole('button', { name: 'Rename' }).click();
    const input = page.getByTestId('saved-panel').getByLabel('New name');
    await input.fill('Other renamed');
    await input.press('Enter');
    await expect.poll(savedNames).toEqual(['Answer', 'Other renamed']);
    await expect
      .poll(() => page.getByTestId('editor-tab').getByRole('tab', { name: 'Other renamed' }).count())
      .toBe(1);

    await entry('Answer').getByRole('button', { name: 'Duplicate' }).click();
    await expect.poll(savedNames).toEqual(['Answer', 'Answer (copy)', 'Other renamed']);
    await entry('Answer \\(copy\\)').getByRole('button', { name: 'Open' }).click();
    await expect.poll(activeTitle).toBe('Answer (copy)');
    await expect.poll(() => page.locator('.cm-content').innerText()).toBe('SELECT 44 AS answer');

    await entry('Answer \\(copy\\)').getByRole('button', { name: 'Delete' }).click();
    await entry('Answer \\(copy\\)').getByRole('button', { name: 'Keep' }).click();
    expect(await savedNames()).toContain('Answer (copy)');
    await entry('Answer \\(copy\\)').getByRole('button', { name: 'Delete' }).click();
    await entry('Answer \\(copy\\)').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(savedNames).toEqual(['Answer', 'Other renamed']);
    // Its tab stays open, no longer linked: the next Ctrl+S asks a name.
    await page.locator('.cm-content').focus();
    await page.keyboard.press('ControlOrMeta+S');
    await page.getByTestId('save-dialog').waitFor();
    await page.getByTestId('save-dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('saves and runs a query over the sample data (screenshot for the README)', async () => {
    await typeSql(CUSTOMERS);
    await page.keyboard.press('ControlOrMeta+S');
    await page.getByTestId('save-dialog').getByLabel('Save as').fill('Customers by lifecycle stage');
    await page.getByTestId('save-dialog').getByLabel('Save as').press('Enter');
    await expect.poll(activeTitle).toBe('Customers by lifecycle stage');
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).not.toBe('');
    await search().fill('stripe');
    await expect.poll(savedNames).toEqual(['Customers by lifecycle stage']);
    await search().fill('');
    await expect.poll(savedNames).toHaveLength(3);
    await page.screenshot({ path: join(SHOTS, 'saved.png') });
  });
});
