// Launches Debian's Chromium (never a downloaded one) with the flags this closed network needs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function freshProfile(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'dinobase-chromium-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A persistent context, so OPFS survives a page reload and a whole browser restart on the same profile. */
export async function launch(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
  });
}

export function captureConsole(page: Page, sink: string[]): void {
  page.on('console', (message) => sink.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => sink.push(`[pageerror] ${error.message}`));
}

/** Opens one of the app's pages from the top bar's links (`#/`, `#/sources`, `#/mutations`, `#/settings`). */
export async function gotoPage(
  page: Page,
  name: 'query' | 'sources' | 'mutations' | 'settings',
): Promise<void> {
  await page.getByTestId(`nav-${name}`).click();
  await page.locator(`[data-testid="nav-${name}"][aria-current="page"]`).waitFor();
}

/** Replaces the CodeMirror document and runs it with the keyboard shortcut, as a user would. */
export async function runSql(page: Page, sql: string): Promise<void> {
  const editor = page.locator('.cm-content');
  // The editor lives on the query page; another page may be showing.
  if (!(await editor.isVisible())) await gotoPage(page, 'query');
  // The completion popup may cover the editor after the previous query; focusing needs no pointer.
  await editor.focus();
  await page.keyboard.press('Escape');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('Escape');
  await page.keyboard.press('ControlOrMeta+Enter');
}

export async function waitReady(page: Page): Promise<void> {
  await page.locator('[data-testid="status"][data-status="ready"]').waitFor({ timeout: 60_000 });
}

/** Current text of the first match, or '' while it is absent; pair with `expect.poll`. */
export async function textOf(page: Page, testId: string): Promise<string> {
  const locator = page.getByTestId(testId);
  return (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '') : '';
}
