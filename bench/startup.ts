// Start-up in Chromium against a bare DuckDB-WASM page (bench/bare.ts): a warm navigation to SELECT 1 (P3), reopening 1M rows (P4).
import type { Page } from 'playwright-core';
import type { RunningServer } from '../proxy/server.ts';
import { runSql, waitReady } from '../test/e2e/browser.ts';
import type { BareTiming } from './bare.ts';
import { benchReady, inChromium, openBenchPage } from './chromium.ts';
import { median, ms, type Row } from './stats.ts';
import type { ReopenTiming } from './page.ts';

const REOPENS = 7;
const BIG_ROWS = 1_000_000;
/** P3's diagnostic: the bare page running the app's lockdown before its query, on a file of its own. */
const LOCKDOWN = '&file=lockdown&steps=lockdown';
/** P3's rounds go through every order of its three pages. */
const ORDERS = [
  ['app', 'bare', 'lockdown'],
  ['lockdown', 'bare', 'app'],
  ['bare', 'lockdown', 'app'],
  ['app', 'lockdown', 'bare'],
  ['lockdown', 'app', 'bare'],
  ['bare', 'app', 'lockdown'],
] as const;
/** Two passes of ORDERS: each page is timed 12 times. */
const NAVIGATIONS = 2 * ORDERS.length;

interface BenchGlobal {
  dinobaseBench: { createBig(rows: number): Promise<number>; reopenCount(): Promise<ReopenTiming> };
}

/** What the page-side watcher (AUTO_RUN) saw, on the navigation's clock. */
interface AppStart {
  script: number;
  engineOpen: number;
  ready: number;
  clicked: number;
  /** The query's answer (its Arrow bytes) arrived from the engine's worker on the main thread. */
  answered: number;
  result: number;
  paint: number;
  startup: { instantiate_ms: number; open_ms: number; connect_ms: number } | null;
}

/**
 * Installed before the app's scripts on every navigation: presses Run the moment it is enabled (the editor
 * holds `SELECT 1 AS one` from the warm-up visit) and notes when the answer is in the grid. Playwright's
 * own round trips (typing, polling) would otherwise count against the app and not against the bare page.
 * It also listens on the engine's worker ahead of Comlink, to split the query's round trip from the render.
 */
function autoRun(): void {
  const state = { clicked: Number.NaN, answered: Number.NaN, result: Number.NaN };
  (globalThis as unknown as { dinobaseStart: typeof state }).dinobaseStart = state;
  const Spawn = globalThis.Worker;
  globalThis.Worker = class extends Spawn {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.addEventListener('message', (event: MessageEvent<{ value?: unknown }>) => {
        const value = event.data?.value;
        if (Number.isNaN(state.clicked) || !Number.isNaN(state.answered)) return;
        if (typeof value === 'object' && value !== null && 'ipc' in value) state.answered = performance.now();
      });
    }
  };
  const observer = new MutationObserver(() => {
    const run = document.querySelector<HTMLButtonElement>('.bar button.primary');
    if (run && !run.disabled && Number.isNaN(state.clicked)) {
      state.clicked = performance.now();
      run.click();
    }
    const cell = document.querySelector('[data-testid="results-grid"] tbody tr td:nth-child(2)');
    if (cell?.textContent?.trim() === '1') {
      state.result = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

async function appStart(page: Page): Promise<AppStart> {
  await page.waitForFunction(
    () =>
      !Number.isNaN((globalThis as unknown as { dinobaseStart: { result: number } }).dinobaseStart.result),
    null,
    { timeout: 60_000 },
  );
  return page.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN;
    const ready = performance.getEntriesByName('dinobase:engine-ready')[0] as PerformanceMark | undefined;
    const seen = (
      globalThis as unknown as { dinobaseStart: { clicked: number; answered: number; result: number } }
    ).dinobaseStart;
    return {
      script: at('dinobase:script'),
      engineOpen: at('dinobase:engine-open'),
      ready: ready?.startTime ?? Number.NaN,
      clicked: seen.clicked,
      answered: seen.answered,
      result: seen.result,
      paint: at('first-contentful-paint'),
      startup: (ready?.detail as AppStart['startup']) ?? null,
    };
  });
}

/** Loads the bare page in `mode` and returns its timings once it answered. */
async function bare(
  page: Page,
  server: RunningServer,
  mode: string,
  rows = 0,
  extra = '',
): Promise<BareTiming> {
  await page.goto(`${server.url}/bench/bare.html?mode=${mode}&rows=${rows}${extra}`);
  await page.waitForFunction(() => document.body.dataset.bare !== undefined, null, { timeout: 120_000 });
  const timing = JSON.parse(await page.evaluate(() => document.body.dataset.bare!)) as BareTiming & {
    error?: string;
  };
  if (timing.error) throw new Error(`the bare page failed: ${timing.error}`);
  return timing;
}

const fixed = (v: number) => v.toFixed(0);
const med = <T>(runs: T[], pick: (r: T) => number) => median(runs.map(pick));

/** The bare page's parts as step durations: "script 80, worker 60, …". */
function bareParts(runs: BareTiming[], query: string): string {
  const steps: [string, (t: BareTiming) => number][] = [
    ['script', (t) => t.script],
    ['worker', (t) => t.worker - t.script],
    ['instantiate', (t) => t.instantiate - t.worker],
    ['open', (t) => t.open - t.instantiate],
    [query, (t) => t.query - t.open],
  ];
  return steps.map(([name, pick]) => `${name} ${fixed(med(runs, pick))}`).join(', ');
}

/** A row of `ours / baseline`, held against `goal`, or only reported (a diagnostic) without one. */
function ratioRow(benchmark: string, ours: number, baseline: number, goal?: number): Row {
  const ratio = ours / baseline;
  return {
    benchmark,
    ours: ms(ours),
    baseline: ms(baseline),
    ratio: `${ratio.toFixed(2)}×`,
    goal: goal === undefined ? 'report' : `≤ ${goal}×`,
    verdict: goal === undefined ? '-' : ratio <= goal ? 'yes' : 'no',
  };
}

/**
 * V8 caches a compiled wasm module by URL once it was compiled from a real response; a hit (machine code
 * deserialised, not compiled) shows as an instantiate far below the first visit's cold one. The cold one also
 * downloads the 34 MB, so only a warm one under a quarter of it counts as a hit.
 */
function codeCache(cold: number, warm: number): string {
  const share = warm / cold;
  return (
    `wasm code cache ${share < 0.25 ? 'hit' : 'NOT hit'}: instantiate cold ${fixed(cold)} → warm ` +
    `${fixed(warm)} ms (${(share * 100).toFixed(0)}%)`
  );
}

/** P3: what a returning user waits for, the app against the bare page, navigations alternating. */
export function benchColdStart(): Promise<Row[]> {
  return inChromium(async (page, server) => {
    // The warm-up visit: installs the service worker (precaching DuckDB-WASM), creates the database and
    // leaves SELECT 1 in the editor for the timed visits.
    await page.goto(server.url);
    await waitReady(page);
    const cold = await page.evaluate(
      () =>
        (performance.getEntriesByName('dinobase:engine-ready')[0] as PerformanceMark | undefined)?.detail
          ?.instantiate_ms as number,
    );
    await page.evaluate(async () => void (await navigator.serviceWorker.ready));
    await page.reload();
    await waitReady(page);
    await runSql(page, 'SELECT 1 AS one');
    await page
      .locator('[data-testid="results-grid"] tbody tr td:nth-child(2)', { hasText: /^\s*1\s*$/ })
      .first()
      .waitFor({ timeout: 30_000 });
    if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null)))
      throw new Error('the service worker does not control the page after the warm-up visit');
    // The bare page's first visit creates its database (and the diagnostic's its own); its wasm comes from
    // the same (now warm) URL.
    await bare(page, server, 'start');
    await bare(page, server, 'start', 0, LOCKDOWN);
    await page.addInitScript(autoRun);
    const apps: AppStart[] = [];
    const bares: BareTiming[] = [];
    const locked: BareTiming[] = [];
    for (let i = 0; i < NAVIGATIONS; i++) {
      // New navigations (not reloads), as when the user opens the app again. The order goes through every
      // permutation, so that each page goes first and follows each other page (the app's teardown, the
      // same file's handles) about as often; a fixed cycle would have one page always follow the app.
      for (const which of ORDERS[i % ORDERS.length]!) {
        await page.goto('about:blank');
        if (which === 'bare') bares.push(await bare(page, server, 'start'));
        else if (which === 'lockdown') locked.push(await bare(page, server, 'start', 0, LOCKDOWN));
        else {
          await page.goto(server.url);
          apps.push(await appStart(page));
        }
      }
    }
    const ours = med(apps, (a) => a.result);
    const base = med(bares, (b) => b.query);
    const startup = (pick: (s: NonNullable<AppStart['startup']>) => number) =>
      fixed(med(apps, (a) => (a.startup ? pick(a.startup) : Number.NaN)));
    const app =
      `script ${fixed(med(apps, (a) => a.script))}, to engine open ${fixed(med(apps, (a) => a.engineOpen - a.script))}, ` +
      `engine ${fixed(med(apps, (a) => a.ready - a.engineOpen))} (instantiate ${startup((s) => s.instantiate_ms)}, ` +
      `open ${startup((s) => s.open_ms)}, connect ${startup((s) => s.connect_ms)}), ` +
      `to Run ${fixed(med(apps, (a) => a.clicked - a.ready))}, query+render ${fixed(med(apps, (a) => a.result - a.clicked))} ` +
      `(answer ${fixed(med(apps, (a) => a.answered - a.clicked))}, render ${fixed(med(apps, (a) => a.result - a.answered))}); ` +
      `first paint ${fixed(med(apps, (a) => a.paint))}`;
    const warm = med(bares, (b) => b.instantiate - b.worker);
    const withLockdown = med(locked, (b) => b.query);
    return [
      ratioRow(
        `warm start: navigation → first result of SELECT 1, app / bare page [app: ${app}] ` +
          `[bare: ${bareParts(bares, 'SELECT 1')}] [${codeCache(cold, warm)}]`,
        ours,
        base,
        1.15,
      ),
      ratioRow(
        `  diagnostic: the bare page + the app's lockdown before SELECT 1 (wrapDuckDB, on a file of its own), ` +
          `same rounds [${bareParts(locked, 'lockdown + SELECT 1')}] [the app over it: ${(ours / withLockdown).toFixed(2)}×]`,
        withLockdown,
        base,
      ),
    ];
  });
}

/** P4: reopening a database that holds 1M rows and counting them, after instantiation, app against bare page. */
export function benchReopen(): Promise<Row[]> {
  return inChromium(async (page, server) => {
    await openBenchPage(page, server);
    await page.evaluate(
      (rows) => (globalThis as unknown as BenchGlobal).dinobaseBench.createBig(rows),
      BIG_ROWS,
    );
    await bare(page, server, 'create', BIG_ROWS);
    const apps: ReopenTiming[] = [];
    const bares: BareTiming[] = [];
    const steps: BareTiming[] = [];
    const reopenApp = async () => {
      await page.goto(`${server.url}/bench/page.html`);
      await benchReady(page);
      const timing = await page.evaluate(() =>
        (globalThis as unknown as BenchGlobal).dinobaseBench.reopenCount(),
      );
      if (timing.rows !== BIG_ROWS)
        throw new Error(`expected ${BIG_ROWS} rows after reopen, got ${timing.rows}`);
      return timing;
    };
    // One untimed reopen of each first: it pays for the first compile of the wasm in this profile, and (with
    // duckdb-wasm 1.32's WAL on OPFS) may move a stale WAL aside, which real reopens do not repeat.
    await reopenApp();
    await bare(page, server, 'reopen');
    const counted = (timing: BareTiming) => {
      if (timing.value !== BIG_ROWS)
        throw new Error(`expected ${BIG_ROWS} rows on the bare page, got ${timing.value}`);
      return timing;
    };
    // The diagnostic (the bare page with the engine's open steps, on the app's file) never follows the app
    // directly: a page on the same file would wait for the previous one's OPFS handles.
    for (let i = 0; i < REOPENS; i++) {
      for (const which of i % 2 ? ['steps', 'bare', 'app', 'bare'] : ['app', 'bare', 'steps', 'bare']) {
        if (which === 'app') apps.push(await reopenApp());
        else if (which === 'bare') bares.push(counted(await bare(page, server, 'reopen')));
        else steps.push(counted(await bare(page, server, 'reopen', 0, '&file=app&steps=engine')));
      }
    }
    const ours = med(apps, (r) => r.afterInstantiate);
    const base = med(bares, (b) => b.query - b.instantiate);
    const diagnostic =
      `bare page + the engine's open steps on the app's file: ${fixed(med(steps, (b) => b.query - b.instantiate))} ` +
      `(open ${fixed(med(steps, (b) => b.open - b.instantiate))}, steps + count ${fixed(med(steps, (b) => b.query - b.open))})`;
    const parts = (['open', 'connect', 'count'] as const)
      .map((p) => `${p} ${fixed(med(apps, (r) => r[p]))}`)
      .join(', ');
    return [
      ratioRow(
        `reopen 1M-row OPFS db + count(*), after instantiation, app / bare page [app: ${parts}, ` +
          `instantiate ${fixed(med(apps, (r) => r.instantiate))}] [bare: ${bareParts(bares, 'count')}] [${diagnostic}]`,
        ours,
        base,
        1.2,
      ),
    ];
  });
}
