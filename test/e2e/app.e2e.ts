import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../proxy/server.ts';
import {
  atOpen,
  cancelLongQuery,
  captureConsole,
  firstCell,
  freshProfile,
  gotoPage,
  launch,
  openApp,
  openPage,
  runAtOpen,
  runSql,
  textOf,
  waitReady,
  type App,
} from './browser.ts';

const JOIN =
  'SELECT count(*) AS matched FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email';

let app: App;
let server: RunningServer;
let page: Page;

/**
 * Installed before every navigation: records each distinct text the sidebar shows below its header, from
 * the first render on, so a test can check everything it ever said (a real observation, not a sleep).
 */
function recordSidebar(): void {
  const seen: string[] = [];
  Object.assign(window, { sidebarTexts: seen });
  const record = () => {
    const sidebar = document.querySelector('[data-testid="sidebar"]');
    if (!sidebar) return;
    const body = [...sidebar.children].filter((child) => child.tagName !== 'HEADER');
    const text = body
      .map((child) => child.textContent ?? '')
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (seen.at(-1) !== text) seen.push(text);
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
}

const sidebarTexts = (target: Page = page) =>
  target.evaluate(() => (window as unknown as { sidebarTexts: string[] }).sidebarTexts);

/** Everything the sidebar said since the page loaded, once `done` shows; it was never blank nor falsely empty. */
async function expectCalmSidebar(target: Page, done: RegExp): Promise<void> {
  await expect.poll(() => textOf(target, 'sidebar'), { timeout: 60_000 }).toMatch(done);
  const texts = await sidebarTexts(target);
  expect(texts.length).toBeGreaterThan(0);
  expect(texts.filter((t) => t.includes('No data yet'))).toEqual([]);
  expect(texts.filter((t) => t === '')).toEqual([]);
  expect(texts[0]).toContain('Loading');
}

beforeAll(async () => {
  app = await openApp({
    home: false,
    prepare: async (context) => {
      await context.addInitScript(recordSidebar);
    },
  });
  ({ server, page } = app);
});

afterAll(() => app?.close());

describe('walking skeleton in Chromium', () => {
  it('opens DuckDB-WASM on OPFS in a worker', async () => {
    await expect
      .poll(() => textOf(page, 'status'), { timeout: 30_000 })
      .toContain('saved in this browser (OPFS)');
  });

  it('opens with the query page alone; another page, the formatter and the agent tools load when first used', async () => {
    await waitReady(page);
    // The page's resource log holds every script it fetched (service worker or network), in order.
    const scripts = () =>
      page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((entry) => new URL(entry.name).pathname.split('/').pop() ?? '')
          .filter((name) => name.endsWith('.js')),
      );
    const onDemand = /^(SourcesPage|MutationsPage|AgentsPage|SettingsPage|format|specs|zod)-/;
    const atStart = await scripts();
    expect(atStart.some((name) => name.startsWith('App-'))).toBe(true);
    expect(atStart.filter((name) => onDemand.test(name))).toEqual([]);
    await gotoPage(page, 'settings');
    await expect.poll(scripts, { timeout: 30_000 }).toContainEqual(expect.stringMatching(/^SettingsPage-/));
    await expect
      .poll(() => page.getByRole('heading', { name: 'Settings', exact: true }).count(), { timeout: 30_000 })
      .toBe(1);
    await gotoPage(page, 'query');
  });

  it('names the page whose code did not load, keeps working, and loads it after a reload', async () => {
    const profile = freshProfile();
    const context = await launch(profile.dir, [], { serviceWorkers: 'block' });
    try {
      const other = await openPage(context, server.url, app.logs);
      const chunk = '**/assets/AgentsPage-*.js';
      await other.route(chunk, (route) => route.abort('internetdisconnected'));
      await gotoPage(other, 'agents');
      const alert = other.getByRole('alert').filter({ hasText: 'The Agents page did not load' });
      await alert.waitFor({ timeout: 30_000 });
      await gotoPage(other, 'query');
      await runSql(other, 'SELECT 6 * 7 AS answer');
      await expect.poll(() => firstCell(other), { timeout: 30_000 }).toBe('42');
      await gotoPage(other, 'agents');
      await other.unroute(chunk);
      await alert.getByRole('button', { name: 'Reload' }).click();
      await waitReady(other);
      await gotoPage(other, 'agents');
      await expect
        .poll(() => other.getByRole('heading', { name: 'Agents', exact: true }).count(), { timeout: 30_000 })
        .toBe(1);
    } finally {
      await context.close();
      profile.remove();
    }
  });

  it("names the engine's code that did not load, and stops the DuckDB worker spawned before it", async () => {
    const profile = freshProfile();
    const context = await launch(profile.dir, [], { serviceWorkers: 'block' });
    try {
      const other = await context.newPage();
      captureConsole(other, app.logs);
      const isDuckDB = (worker: Worker) => worker.url().startsWith('blob:');
      // DuckDB's worker spawns as the engine's worker starts; its driver's chunk fails only once it exists.
      const spawned = new Promise<void>((resolve) =>
        other.on('worker', (worker) => void (isDuckDB(worker) && resolve())),
      );
      await context.route('**/assets/browser-*.js', async (route) => {
        await spawned;
        await route.abort('internetdisconnected');
      });
      await other.goto(server.url);
      await expect
        .poll(() => textOf(other, 'session-error'), { timeout: 60_000 })
        .toMatch(/^The database engine's code did not load \(.+\)\. Reload the page\.$/);
      await spawned;
      await expect.poll(() => other.workers().filter(isDuckDB).length, { timeout: 30_000 }).toBe(0);
    } finally {
      await context.close();
      profile.remove();
    }
  });

  it("sends the page's own reads at open after a query run the moment Run is enabled has answered", async () => {
    const profile = freshProfile();
    const context = await launch(profile.dir);
    try {
      const other = await openPage(context, server.url, app.logs);
      await runSql(other, 'SELECT 6 * 7 AS answer');
      await expect.poll(() => firstCell(other), { timeout: 30_000 }).toBe('42');
      // On the next open: press Run as soon as it is enabled, and note each engine call the page posts.
      await other.addInitScript(runAtOpen, '42');
      await other.reload();
      const reads = [
        'listSources',
        'getSources',
        'listPendingMutations',
        'mutationHistory',
        'listConnectors',
      ];
      // Waits for the answer and for the reads, whenever they went out.
      await expect
        .poll(
          async () => {
            const { answered, posted } = await atOpen(other);
            return !Number.isNaN(answered) && reads.every((read) => posted.some(([name]) => name === read));
          },
          { timeout: 60_000 },
        )
        .toBe(true);
      const { clicked, answered, posted } = await atOpen(other);
      expect(answered).toBeGreaterThan(clicked);
      await expect.poll(() => firstCell(other), { timeout: 30_000 }).toBe('42');
      const held = Math.min(answered, clicked + 1000);
      expect(posted.filter(([name, at]) => reads.includes(name) && at > clicked && at < held)).toEqual([]);
    } finally {
      await context.close();
      profile.remove();
    }
  });

  it('shows the sources loading, never blank nor "No data yet", until the server\'s sources are listed', async () => {
    await expectCalmSidebar(page, /github.*hubspot.*linear.*stripe/);
  });

  it('says "No data yet" where there really is none: no data and a server without sources', async () => {
    const bare = await startServer({ port: 0, sandbox: false });
    const other = await app.context.newPage();
    try {
      // Another origin: its own OPFS database, empty.
      await other.goto(bare.url);
      await waitReady(other);
      await expect.poll(() => textOf(other, 'sidebar'), { timeout: 60_000 }).toContain('No data yet');
      expect((await sidebarTexts(other)).some((t) => t.includes('Loading'))).toBe(true);
    } finally {
      await other.close();
      await bare.close();
    }
  });

  it('loads the sample data and shows it in the sidebar', async () => {
    await page.getByRole('button', { name: 'Load sample data' }).click();
    await page.getByTestId('source-stripe').waitFor({ timeout: 60_000 });
    await expect.poll(() => textOf(page, 'sidebar'), { timeout: 30_000 }).toContain('hubspot');
  });

  it('runs a cross-source join and shows the right count', async () => {
    await runSql(page, JOIN);
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('160');
    await expect.poll(() => textOf(page, 'row-count'), { timeout: 30_000 }).toBe('1 row');
  });

  it('keeps the data across a page reload', async () => {
    await page.reload();
    await waitReady(page);
    await page.getByTestId('source-stripe').waitFor();
    await expectCalmSidebar(page, /hubspot.*rows.*stripe.*rows/);
    await runSql(page, JOIN);
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('160');
  });

  it('keeps the data across a browser restart (checkpointed to OPFS)', async () => {
    await app.context.close();
    // The new browser is the app's now, so that close() closes it.
    app.context = await launch(app.profileDir);
    page = await openPage(app.context, server.url, app.logs);
    await runSql(page, 'SELECT count(*) AS n FROM stripe.customers');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('180');
  });

  it('loads the sample data again on the reopened database, replacing it', async () => {
    await page.getByRole('button', { name: 'Load sample data' }).click();
    // One per source (stripe, hubspot) and load; sample loads are not syncs, so not in the sync log.
    const loads = "SELECT sum(value::INTEGER) AS loads FROM _dinobase.metadata WHERE key = 'sample_loads'";
    await expect
      .poll(
        async () => {
          await runSql(page, loads);
          return firstCell(page);
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('4');
    await runSql(page, 'SELECT count(*) AS n FROM stripe.customers');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('180');
  });

  it('shows a bad query as an error and keeps working', async () => {
    await runSql(page, 'SELECT * FROM stripe.nope');
    await expect
      .poll(() => textOf(page, 'query-error'), { timeout: 30_000 })
      .toContain('Table with name nope does not exist');
    await runSql(page, 'DROP TABLE stripe.customers');
    await expect
      .poll(() => textOf(page, 'query-error'), { timeout: 30_000 })
      .toContain('DROP statements are not allowed');
    await runSql(page, 'SELECT count(*) FROM hubspot.contacts');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('180');
    await expect.poll(() => page.getByTestId('query-error').count()).toBe(0);
  });

  it('cancels a long query and stays usable', async () => {
    await cancelLongQuery(page);
  });

  it('tells a second tab that the database is open in another tab (tabs.e2e.ts covers "Use here")', async () => {
    const second = await app.context.newPage();
    await second.goto(server.url);
    await expect
      .poll(() => textOf(second, 'tab-notice'), { timeout: 30_000 })
      .toContain('Dinobase is open in another tab');
    await expect.poll(() => textOf(second, 'session-error')).toBe('');
    await second.close();
    await runSql(page, 'SELECT 1 AS still_fine');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('1');
  });

  it('does what the help lists for editor tabs: Alt+N, Alt+W, Alt+[ and Alt+], Alt+H', async () => {
    await gotoPage(page, 'query');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    const help = page.getByTestId('help');
    const listed = async () => (await help.locator('dt').allTextContents()).map((t) => t.replace(/\s+/g, ''));
    await expect.poll(listed).toEqual(expect.arrayContaining(['Alt+N', 'Alt+W', 'Alt+[]', 'Alt+H']));
    await page.keyboard.press('Escape');
    await expect.poll(() => help.isVisible()).toBe(false);

    const tabs = page.getByTestId('editor-tab').getByRole('tab');
    const titles = async () => (await tabs.allTextContents()).map((t) => t.trim());
    const active = async () =>
      (await page.getByTestId('editor-tab').getByRole('tab', { selected: true }).textContent())?.trim();
    await page.locator('.cm-content').focus();
    const start = await titles();
    await page.keyboard.press('Alt+N');
    await expect.poll(titles).toHaveLength(start.length + 1);
    const opened = (await titles()).at(-1)!;
    await expect.poll(active).toBe(opened);
    await page.keyboard.press('Alt+BracketLeft');
    await expect.poll(active).toBe(start.at(-1));
    await page.keyboard.press('Alt+BracketRight');
    await expect.poll(active).toBe(opened);
    await page.keyboard.press('Alt+W');
    await expect.poll(titles).toEqual(start);
    await page.keyboard.press('Alt+H');
    await expect.poll(() => page.getByTestId('history-panel').count()).toBe(1);
    await page.keyboard.press('Alt+H');
    await expect.poll(() => page.getByTestId('history-panel').count()).toBe(0);
  });

  it('labels the add-source fields in words, and still sends each under its field name', async () => {
    await gotoPage(page, 'sources');
    const form = page.getByTestId('add-source');
    await form.getByLabel('Type').selectOption('github');
    await expect.poll(() => form.getByLabel('Personal access token', { exact: true }).count()).toBe(1);
    await expect.poll(() => form.getByText('access_token').count()).toBe(0);
    await form.getByLabel('Name (becomes the SQL schema)').fill('github_labelled');
    await form.getByLabel("This server's github sandbox").check();
    await form.getByLabel('Personal access token', { exact: true }).fill('ghp_dinobaseSandbox');
    const listed = () =>
      page.evaluate(async () => {
        const body = (await (await fetch('/api/sources')).json()) as {
          sources: { name: string; credentials_set: boolean }[];
        };
        return body.sources.find((s) => s.name === 'github_labelled')?.credentials_set ?? null;
      });
    try {
      await form.getByRole('button', { name: 'Save source' }).click();
      await expect.poll(listed, { timeout: 30_000 }).toBe(true);
      // The app is done when it shows the new source (after the engine has it too), not when the server has it.
      await expect
        .poll(() => page.evaluate(() => location.hash), { timeout: 30_000 })
        .toBe('#/sources/github_labelled');
    } finally {
      // This suite shares the e2e home with other files: leave no source behind.
      await page.evaluate(() => fetch('/api/sources/github_labelled/credentials', { method: 'DELETE' }));
    }
    await gotoPage(page, 'query');
  });
});
