// Start-up in Chromium against a bare DuckDB-WASM page (bench/bare.ts): a warm navigation to SELECT 1 (P3), reopening 1M rows (P4).
import type { Page } from 'playwright-core';
import type { RunningServer } from '../proxy/server.ts';
import { atOpen, runAtOpen, runSql, waitReady } from '../test/e2e/browser.ts';
import type { BareTiming } from './bare.ts';
import { benchReady, inChromium, openBenchPage } from './chromium.ts';
import { median, ms, type Row } from './stats.ts';
import type { ReopenTiming } from './page.ts';

const REOPENS = 7;
const BIG_ROWS = 1_000_000;
/**
 * P3's diagnostic: the bare page doing in DuckDB what the app does before its first answer (the lockdown, then
 * SELECT 1 read as the engine reads it), on a file of its own.
 */
const DIAGNOSTIC = '&file=lockdown&steps=read';
/** P3's rounds go through every order of its three pages. */
const ORDERS = [
  ['app', 'bare', 'diagnostic'],
  ['diagnostic', 'bare', 'app'],
  ['bare', 'diagnostic', 'app'],
  ['app', 'diagnostic', 'bare'],
  ['diagnostic', 'app', 'bare'],
  ['bare', 'app', 'diagnostic'],
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
  /** The page posted the query to the engine's worker (Comlink's `runQuery` call). */
  posted: number;
  /** The query's answer (its Arrow bytes) arrived from the engine's worker on the main thread. */
  answered: number;
  /** The answer's own `elapsed_ms`: the engine's classification, DuckDB's read and the result's shape. */
  engine: number;
  result: number;
  paint: number;
  startup: { instantiate_ms: number; open_ms: number; connect_ms: number } | null;
}

/** The app's start as `runAtOpen` and the app's own marks saw it, once `1` is in the grid. */
async function appStart(page: Page): Promise<AppStart> {
  await page.waitForFunction(
    () =>
      !Number.isNaN((globalThis as unknown as { dinobaseAtOpen: { result: number } }).dinobaseAtOpen.result),
    null,
    { timeout: 60_000 },
  );
  const seen = await atOpen(page);
  const marks = await page.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN;
    const ready = performance.getEntriesByName('dinobase:engine-ready')[0] as PerformanceMark | undefined;
    return {
      script: at('dinobase:script'),
      engineOpen: at('dinobase:engine-open'),
      ready: ready?.startTime ?? Number.NaN,
      paint: at('first-contentful-paint'),
      startup: (ready?.detail as AppStart['startup']) ?? null,
    };
  });
  const query = seen.posted.find(([name, at]) => name === 'runQuery' && at >= seen.clicked);
  const { clicked, answered, engine, result } = seen;
  return { ...marks, clicked, posted: query?.[1] ?? Number.NaN, answered, engine, result };
}

/** When DuckDB's worker began and when its wasm was compiled (spawn.ts's prelude marks), on the page's clock. */
interface WasmSteps {
  started: number;
  compiled: number;
}

/** The steps of the page's DuckDB worker (the one blob worker), read once the page has answered. */
async function wasmSteps(page: Page): Promise<WasmSteps> {
  const origin = await page.evaluate(() => performance.timeOrigin);
  const worker = page.workers().find((w) => w.url().startsWith('blob:'));
  if (!worker) return { started: Number.NaN, compiled: Number.NaN };
  const [timeOrigin, compiled] = await worker.evaluate(() => [
    performance.timeOrigin,
    performance.getEntriesByName('dinobase:wasm-compiled')[0]?.startTime ?? Number.NaN,
  ]);
  return { started: timeOrigin! - origin, compiled: timeOrigin! - origin + compiled! };
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
    await bare(page, server, 'start', 0, DIAGNOSTIC);
    // Run is pressed the moment it is enabled (the editor holds `SELECT 1 AS one` from the warm-up visit), so
    // that Playwright's own round trips (typing, polling) count against neither page.
    await page.addInitScript(runAtOpen, '1');
    const apps: AppStart[] = [];
    const bares: BareTiming[] = [];
    const diagnosed: BareTiming[] = [];
    const wasm: Record<'app' | 'bare', WasmSteps[]> = { app: [], bare: [] };
    for (let i = 0; i < NAVIGATIONS; i++) {
      // New navigations (not reloads), as when the user opens the app again. The order goes through every
      // permutation, so that each page goes first and follows each other page (the app's teardown, the
      // same file's handles) about as often; a fixed cycle would have one page always follow the app.
      for (const which of ORDERS[i % ORDERS.length]!) {
        await page.goto('about:blank');
        if (which === 'bare') {
          bares.push(await bare(page, server, 'start'));
          wasm.bare.push(await wasmSteps(page));
        } else if (which === 'diagnostic') diagnosed.push(await bare(page, server, 'start', 0, DIAGNOSTIC));
        else {
          await page.goto(server.url);
          apps.push(await appStart(page));
          wasm.app.push(await wasmSteps(page));
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
      `(answer ${fixed(med(apps, (a) => a.answered - a.clicked))}: posted ${fixed(med(apps, (a) => a.posted - a.clicked))}, ` +
      `engine ${fixed(med(apps, (a) => a.engine))}, hops ${fixed(med(apps, (a) => a.answered - a.posted - a.engine))}; ` +
      `render ${fixed(med(apps, (a) => a.result - a.answered))}); ` +
      `first paint ${fixed(med(apps, (a) => a.paint))}`;
    const warm = med(bares, (b) => b.instantiate - b.worker);
    const both = (pick: (w: WasmSteps) => number) =>
      `${fixed(med(wasm.app, pick))} / ${fixed(med(wasm.bare, pick))}`;
    const instance = `${fixed(med(apps, (a) => a.engineOpen + (a.startup?.instantiate_ms ?? Number.NaN)))} / ${fixed(med(bares, (b) => b.instantiate))}`;
    const duckWorker =
      `DuckDB's worker, app / bare: started ${both((w) => w.started)}, wasm compiled ${both((w) => w.compiled)}, ` +
      `instance ${instance}`;
    const diagnostic = med(diagnosed, (b) => b.query);
    // The app's own DuckDB steps before its answer, against the diagnostic's same steps without the engine.
    const appSteps = fixed(
      med(apps, (a) => (a.startup ? a.startup.connect_ms : Number.NaN) + (a.answered - a.clicked)),
    );
    return [
      ratioRow(
        `warm start: navigation → first result of SELECT 1, app / bare page [app: ${app}] ` +
          `[bare: ${bareParts(bares, 'SELECT 1')}] [${duckWorker}] [${codeCache(cold, warm)}]`,
        ours,
        base,
        1.15,
      ),
      ratioRow(
        `  diagnostic: the bare page + the app's lockdown and its read of SELECT 1 (wrapDuckDB, queryHead over the ` +
          `chunk port; a file of its own), same rounds [${bareParts(diagnosed, 'lockdown + read')}: lockdown ` +
          `${fixed(med(diagnosed, (b) => (b.lockdown ?? Number.NaN) - b.open))}, read ` +
          `${fixed(med(diagnosed, (b) => b.query - (b.lockdown ?? Number.NaN)))}] ` +
          `[app: connect + answer ${appSteps}] [the app over it: ${(ours / diagnostic).toFixed(2)}×]`,
        diagnostic,
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
