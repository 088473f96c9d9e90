// Several tabs on one OPFS database: one owns it, "Use here" moves it safely, closing the owner hands it on.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../proxy/server.ts';
import { captureConsole, expectQuery, freshProfile, launch, textOf, waitReady } from './browser.ts';

const JOIN =
  'SELECT count(*) AS matched FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email';

let server: RunningServer;
let context: BrowserContext;
let first: Page;
let second: Page;
const profile = freshProfile();
const logs: string[] = [];

async function newTab(): Promise<Page> {
  const page = await context.newPage();
  captureConsole(page, logs);
  await page.goto(server.url);
  return page;
}

async function notice(page: Page): Promise<string> {
  return textOf(page, 'tab-notice');
}

const status = (page: Page) => page.getByTestId('status').getAttribute('data-status');

/** The titles of the page's editor tabs, in order (readable behind the notice too). */
async function titles(page: Page): Promise<string[]> {
  return (await page.getByTestId('editor-tab').getByRole('tab').allTextContents()).map((t) => t.trim());
}

/** The titles of the editor tabs the page's origin has saved (localStorage), as the next tab to open reads them. */
function storedTitles(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const stored = JSON.parse(localStorage.getItem('dinobase:editor-tabs') ?? 'null') as {
      tabs?: { title: string }[];
    } | null;
    return (stored?.tabs ?? []).map((t) => t.title);
  });
}

function tabButton(page: Page, title: string) {
  return page.getByTestId('editor-tab').getByRole('tab', { name: title, exact: true });
}

/** The SQL of one editor tab, as the editor shows it once that tab is selected (the owner tab only). */
async function sqlOf(page: Page, title: string): Promise<string> {
  await tabButton(page, title).click();
  if ((await tabButton(page, title).getAttribute('aria-selected')) !== 'true') return '';
  return page.locator('.cm-content').innerText();
}

/** Types a line at the end of one editor tab, as a user would. */
async function typeInTab(page: Page, title: string, line: string): Promise<void> {
  await tabButton(page, title).click();
  await page.locator('.cm-content').focus();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('Enter');
  await page.keyboard.insertText(line);
  await page.keyboard.press('Escape');
}

beforeAll(async () => {
  server = await startServer({ port: 0 });
  context = await launch(profile.dir);
  first = context.pages()[0] ?? (await context.newPage());
  captureConsole(first, logs);
  await first.goto(server.url);
  await waitReady(first);
});

afterAll(async () => {
  if (process.env.E2E_LOGS) console.log(logs.join('\n'));
  await context?.close();
  await server?.close();
  profile.remove();
});

describe('several tabs in Chromium', () => {
  it('tells a second tab that Dinobase is open in another tab', async () => {
    second = await newTab();
    await expect.poll(() => notice(second), { timeout: 30_000 }).toContain('Dinobase is open in another tab');
    await expect.poll(() => status(second)).toBe('elsewhere');
    await expect.poll(() => notice(first)).toBe('');
  });

  it('keeps working in the owner tab meanwhile', async () => {
    await first.getByRole('button', { name: 'Load sample data' }).click();
    await first.getByTestId('source-stripe').waitFor({ timeout: 60_000 });
    await expectQuery(first, JOIN, '160');
  });

  it('"Use here" moves the database to the second tab with all its data', async () => {
    await second.getByRole('button', { name: 'Use here' }).click();
    await waitReady(second);
    await expect.poll(() => notice(first), { timeout: 30_000 }).toContain('Dinobase moved to another tab');
    await expect.poll(() => status(first)).toBe('elsewhere');
    await second.getByTestId('source-stripe').waitFor({ timeout: 30_000 });
    await expectQuery(second, JOIN, '160');
    await expectQuery(second, 'SELECT count(*) AS n FROM stripe.customers', '180');
  });

  it('"Use here" in the first tab takes it back, and its sidebar is refreshed', async () => {
    await first.getByRole('button', { name: 'Use here' }).click();
    await waitReady(first);
    await expect.poll(() => notice(second), { timeout: 30_000 }).toContain('Dinobase moved to another tab');
    await first.getByTestId('source-stripe').waitFor({ timeout: 30_000 });
    await expectQuery(first, 'SELECT count(*) AS n FROM hubspot.contacts', '180');
  });

  it('closing the owner tab hands the database to the waiting tab by itself', async () => {
    await first.close();
    await waitReady(second);
    await expect.poll(() => notice(second)).toBe('');
    await expectQuery(second, JOIN, '160');
  });

  it('a tab opened later waits behind the new owner', async () => {
    const third = await newTab();
    await expect.poll(() => notice(third), { timeout: 30_000 }).toContain('Dinobase is open in another tab');
    await third.close();
    await expectQuery(second, 'SELECT 1 AS still_fine', '1');
  });
});

describe('editor tabs across a hand-over', () => {
  it('"Use here" shows the tabs the owner left, and a reload afterwards keeps both tabs\' work', async () => {
    const a = second;
    // The tab acted in is brought to the front first: Chromium throttles a background tab's timers, and the
    // editor saves its tabs on a timer (after a typing pause).
    await a.bringToFront();
    await a.getByRole('button', { name: 'New query tab' }).click();
    await expect.poll(() => titles(a).then((t) => t.length), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const before = await titles(a);
    await expect.poll(() => storedTitles(a), { timeout: 30_000 }).toEqual(before);
    const b = await newTab();
    await expect.poll(() => notice(b), { timeout: 30_000 }).toContain('Dinobase is open in another tab');
    await expect.poll(() => titles(b), { timeout: 30_000 }).toEqual(before);

    // While B waits, A edits its first tab and adds another.
    await a.bringToFront();
    await typeInTab(a, before[0]!, '-- edited in A');
    await a.getByRole('button', { name: 'New query tab' }).click();
    await expect.poll(() => titles(a)).toHaveLength(before.length + 1);
    const after = await titles(a);
    const added = after.at(-1)!;
    await typeInTab(a, added, 'SELECT 3 AS added_in_a');
    // B, still waiting, follows A's tabs as A saves them.
    await expect.poll(() => titles(b), { timeout: 30_000 }).toEqual(after);

    // B takes over: it shows A's tabs, not the ones it read when it opened.
    await b.bringToFront();
    await b.getByRole('button', { name: 'Use here' }).click();
    await waitReady(b);
    await expect.poll(() => notice(a), { timeout: 30_000 }).toContain('Dinobase moved to another tab');
    await expect.poll(() => titles(b), { timeout: 30_000 }).toEqual(after);
    await expect.poll(() => sqlOf(b, added), { timeout: 30_000 }).toContain('added_in_a');
    await expect.poll(() => sqlOf(b, before[0]!), { timeout: 30_000 }).toContain('edited in A');

    // B types, then reloads. A is queued, so it takes the database back and must show B's work.
    await typeInTab(b, added, '-- typed in B');
    await b.reload();
    await waitReady(a);
    await expect.poll(() => notice(b), { timeout: 30_000 }).toContain('Dinobase is open in another tab');
    await expect.poll(() => titles(a), { timeout: 30_000 }).toEqual(after);
    await expect.poll(() => sqlOf(a, added), { timeout: 30_000 }).toMatch(/added_in_a[\s\S]*typed in B/);
    await expect.poll(() => sqlOf(a, before[0]!), { timeout: 30_000 }).toContain('edited in A');

    // And B, reloaded, finds everything once it takes the database again.
    await expect.poll(() => titles(b), { timeout: 30_000 }).toEqual(after);
    await b.getByRole('button', { name: 'Use here' }).click();
    await waitReady(b);
    await expect.poll(() => sqlOf(b, added), { timeout: 30_000 }).toMatch(/added_in_a[\s\S]*typed in B/);
    await expect.poll(() => sqlOf(b, before[0]!), { timeout: 30_000 }).toContain('edited in A');
    await b.close();
  });

  it('takes a save that reaches it just after it took over, before it changed anything itself', async () => {
    // B closed, so A owns the database again and has changed nothing since it showed the stored tabs. The tab
    // that let go saved on `pagehide`, and Chromium may deliver that write after the lock: stand-in, a write
    // from another page of the origin.
    const a = second;
    await waitReady(a);
    const c = await newTab();
    await expect.poll(() => notice(c), { timeout: 30_000 }).toContain('Dinobase is open in another tab');
    await c.evaluate((key) => {
      const stored = JSON.parse(localStorage.getItem(key)!) as { tabs: { title: string }[] };
      stored.tabs[0]!.title = 'Saved on the way out';
      localStorage.setItem(key, JSON.stringify(stored));
    }, 'dinobase:editor-tabs');
    await expect.poll(() => titles(a), { timeout: 30_000 }).toContain('Saved on the way out');
    await c.close();
  });
});
