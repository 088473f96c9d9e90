// e2e helpers: the app served and opened in Debian's Chromium (never a downloaded one), and the steps suites share.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Dialog, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startServer, type RunningServer, type ServerOptions } from '../../proxy/server.ts';

/** Debian's Chromium; CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless-friendly flags, and no background traffic (this network is closed). */
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

/** A new, empty Chromium profile directory in the temp dir; `remove()` deletes it. */
export function freshProfile(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'dinobase-chromium-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A persistent context, so OPFS survives a page reload and a whole browser restart on the same profile;
 * `extraArgs` adds Chromium flags (host mapping, secure origins).
 */
export async function launch(
  profileDir: string,
  extraArgs: string[] = [],
  /**
   * Context options beyond the defaults (the sync bench bypasses CSP for its cross-origin baseline; a test that
   * routes the app's own scripts blocks the service worker, which would answer them from its cache).
   */
  options: { bypassCSP?: boolean; serviceWorkers?: 'allow' | 'block' } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...extraArgs],
    ...options,
  });
}

/** Every captured console line of this suite file, in order; test/e2e/setup.ts prints a failed test's share. */
export const capturedConsole: string[] = [];

/** Appends the page's console messages and uncaught errors to `sink` (and `capturedConsole`), one line each. */
export function captureConsole(page: Page, sink: string[]): void {
  const add = (line: string) => {
    sink.push(line);
    capturedConsole.push(line);
  };
  page.on('console', (message) => add(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => add(`[pageerror] ${error.message}`));
}

/** Opens one of the app's pages from the top bar's links (`#/`, `#/sources`, `#/mutations`, `#/agents`, `#/settings`). */
export async function gotoPage(
  page: Page,
  name: 'query' | 'sources' | 'mutations' | 'agents' | 'settings',
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

/** Waits (up to 60 s) until the status indicator says the engine is ready. */
export async function waitReady(page: Page): Promise<void> {
  await page.locator('[data-testid="status"][data-status="ready"]').waitFor({ timeout: 60_000 });
}

/** Current text of the first match, or '' while it is absent; pair with `expect.poll`. */
export async function textOf(page: Page, testId: string): Promise<string> {
  const locator = page.getByTestId(testId);
  return (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '') : '';
}

/** Text of the results grid's first data cell (after the row number), or '' while no row is shown; pair with `expect.poll`. */
export async function firstCell(page: Page): Promise<string> {
  const cell = page.locator('[data-testid="results-grid"] tbody tr td:nth-child(2)');
  return (await cell.count()) > 0 ? ((await cell.first().textContent())?.trim() ?? '') : '';
}

/** The context's first page (or a new one), its console captured into `logs`, showing the app at `url` once ready. */
export async function openPage(context: BrowserContext, url: string, logs: string[]): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  captureConsole(page, logs);
  await page.goto(url);
  await waitReady(page);
  return page;
}

/** The app served by a real server and open, ready, in Chromium on a fresh profile; see `openApp`. */
export interface App {
  server: RunningServer;
  /** The browser; after a restart on `profileDir`, assign the new one here so that `close()` closes it. */
  context: BrowserContext;
  page: Page;
  /** The page's console lines, printed by `close()` when E2E_LOGS is set. */
  logs: string[];
  profileDir: string;
  /** Prints the logs if asked, closes the browser and the server, and deletes the profile and the home. */
  close(): Promise<void>;
}

/**
 * Starts the server on a free port with a temp DINOBASE_HOME (or, with `home: false`, the default one), launches
 * Chromium on a fresh profile, runs `prepare` before the first navigation, and opens the app in the first page
 * (its URL with `search`).
 */
export async function openApp(
  options: {
    server?: Omit<ServerOptions, 'port' | 'home'>;
    prepare?: (context: BrowserContext, server: RunningServer) => void | Promise<void>;
    home?: boolean;
    /** The app's URL query, e.g. `?duckdb=blocking` (the opt-in driver). */
    search?: string;
  } = {},
): Promise<App> {
  const home = options.home === false ? undefined : mkdtempSync(join(tmpdir(), 'dinobase-e2e-home-'));
  const profile = freshProfile();
  const logs: string[] = [];
  const open: { server?: RunningServer; context?: BrowserContext } = {};
  async function close(): Promise<void> {
    if (process.env.E2E_LOGS) console.log(logs.join('\n'));
    await open.context?.close().catch(() => {});
    await open.server?.close();
    profile.remove();
    if (home) rmSync(home, { recursive: true, force: true });
  }
  try {
    const server = (open.server = await startServer({ port: 0, ...options.server, home }));
    const context = (open.context = await launch(profile.dir));
    await options.prepare?.(context, server);
    const page = await openPage(context, new URL(options.search ?? '', server.url).href, logs);
    return {
      server,
      get context() {
        return open.context!;
      },
      set context(context: BrowserContext) {
        open.context = context;
      },
      page,
      logs,
      profileDir: profile.dir,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

let asked = 0;

/**
 * `sql`'s single value, run from the editor. The query is tagged, so the result of an earlier query still on
 * screen is never taken for it.
 */
export async function valueOf(page: Page, sql: string): Promise<string> {
  const tag = `q${++asked}:`;
  await runSql(page, `SELECT '${tag}' || CAST((${sql}) AS VARCHAR) AS v`);
  await expect.poll(() => firstCell(page), { timeout: 30_000 }).toMatch(new RegExp(`^${tag}`));
  return (await firstCell(page)).slice(tag.length);
}

/** Runs `sql` from the editor and waits until the grid's first cell is `value`. */
export async function expectQuery(page: Page, sql: string, value: string): Promise<void> {
  await runSql(page, sql);
  await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe(value);
}

/** Starts a query that would run for hours, clicks Cancel, waits for the cancelled state, and runs another. */
export async function cancelLongQuery(page: Page): Promise<void> {
  await runSql(page, 'SELECT count(*) FROM range(100000000000) a, range(10) b');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect.poll(() => textOf(page, 'query-cancelled'), { timeout: 30_000 }).toContain('Query cancelled');
  await expectQuery(page, 'SELECT 42 AS answer', '42');
}

/**
 * Answers the page's next dialog (accept, or dismiss); resolves with its question once it is answered. Rejects, and
 * stops listening, when none appears within `timeout` ms: a click that missed its button must fail the test
 * there, not hang the `expect.poll` awaiting this promise, nor answer the next test's dialog.
 */
export function answerNextDialog(page: Page, accept: boolean, timeout = 30_000): Promise<string> {
  const answered = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      page.off('dialog', answer);
      reject(new Error(`No dialog appeared within ${timeout / 1000} s`));
    }, timeout);
    function answer(dialog: Dialog): void {
      page.off('dialog', answer);
      clearTimeout(timer);
      void (accept ? dialog.accept() : dialog.dismiss()).then(() => resolve(dialog.message()), reject);
    }
    page.on('dialog', answer);
  });
  // Handled here too: a test that failed before awaiting it must not leave an unhandled rejection behind.
  answered.catch(() => undefined);
  return answered;
}

/**
 * Restores the database file at `file` from Settings, as a user would: picks it, accepts the question, and waits
 * until the notice (or the error) matches `outcome`. Resolves with the question asked.
 */
export async function restoreFrom(page: Page, file: string, outcome: RegExp): Promise<string> {
  await gotoPage(page, 'settings');
  const question = answerNextDialog(page, true);
  await page.getByTestId('restore-file').setInputFiles(file);
  await expect
    .poll(async () => (await textOf(page, 'storage-notice')) || (await textOf(page, 'storage-error')), {
      timeout: 60_000,
    })
    .toMatch(outcome);
  return question;
}

/**
 * From the next navigation on, records each distinct place (its top, in page pixels) at which every element
 * matching `selector` was painted, checked every frame; `placesOf` reads them, keyed by aria-label or test id.
 * A button that moves after it is shown can take a click meant for it somewhere else.
 */
export async function trackPlaces(page: Page, selector: string): Promise<void> {
  await page.addInitScript((selector: string) => {
    const seen: Record<string, number[]> = {};
    Object.assign(window, { dinobasePlaces: seen });
    const frame = () => {
      for (const element of document.querySelectorAll(selector)) {
        const key =
          element.getAttribute('aria-label') ?? element.getAttribute('data-testid') ?? element.tagName;
        const top = Math.round(element.getBoundingClientRect().top + window.scrollY);
        const places = (seen[key] ??= []);
        if (places.at(-1) !== top) places.push(top);
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, selector);
}

/** What `trackPlaces` recorded since the page's last navigation. */
export function placesOf(page: Page): Promise<Record<string, number[]>> {
  return page.evaluate(
    () => (window as unknown as { dinobasePlaces?: Record<string, number[]> }).dinobasePlaces ?? {},
  );
}

/** Text with its runs of whitespace (template line breaks) as single spaces. */
export const squash = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();

/** What `runAtOpen` saw on the page's clock (NaN until it happened). */
export interface AtOpen {
  clicked: number;
  /** Each engine call the page posted (Comlink's method name) and when. */
  posted: [string, number][];
  /** The query's answer (its Arrow bytes) arrived from the engine's worker, ahead of Comlink. */
  answered: number;
  /** The answer's own `elapsed_ms`: the engine's share of it. */
  engine: number;
  /** The grid's first cell showed the value asked for. */
  result: number;
}

/**
 * An init script (`page.addInitScript(runAtOpen, expected)`, serialised, so it uses nothing outside its body):
 * on every navigation it presses Run the moment it is enabled, notes each engine call the page posts and when
 * the answer comes back, and when the grid's first cell shows `expected`. `atOpen(page)` reads it back.
 */
export function runAtOpen(expected: string): void {
  const seen = {
    clicked: Number.NaN,
    posted: [] as [string, number][],
    answered: Number.NaN,
    engine: Number.NaN,
    result: Number.NaN,
  };
  (globalThis as unknown as { dinobaseAtOpen: typeof seen }).dinobaseAtOpen = seen;
  const Spawn = globalThis.Worker;
  globalThis.Worker = class extends Spawn {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.addEventListener('message', (event: MessageEvent<{ value?: unknown }>) => {
        const value = event.data?.value;
        if (Number.isNaN(seen.clicked) || !Number.isNaN(seen.answered)) return;
        if (typeof value === 'object' && value !== null && 'ipc' in value) {
          seen.answered = performance.now();
          seen.engine = (value as { elapsed_ms?: number }).elapsed_ms ?? Number.NaN;
        }
      });
    }
    override postMessage(message: unknown, options?: Transferable[] | StructuredSerializeOptions): void {
      const name = (message as { path?: unknown[] } | null)?.path?.[0];
      if (typeof name === 'string') seen.posted.push([name, performance.now()]);
      super.postMessage(message, options as Transferable[]);
    }
  };
  const observer = new MutationObserver(() => {
    const run = document.querySelector<HTMLButtonElement>('.bar button.primary');
    if (run && !run.disabled && Number.isNaN(seen.clicked)) {
      seen.clicked = performance.now();
      run.click();
    }
    const cell = document.querySelector('[data-testid="results-grid"] tbody tr td:nth-child(2)');
    if (!Number.isNaN(seen.answered) && cell?.textContent?.trim() === expected) {
      seen.result = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

/** What `runAtOpen` has seen on `page` so far. */
export function atOpen(page: Page): Promise<AtOpen> {
  return page.evaluate(() => (globalThis as unknown as { dinobaseAtOpen: AtOpen }).dinobaseAtOpen);
}
