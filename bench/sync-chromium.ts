// P2 and P8: the product's sync in Chromium (engine worker, proxy relay, OPFS) vs raw fetch+parse of the same pages in the same page.
import { SANDBOX_CREDENTIALS } from '../proxy/sandbox/index.ts';
import { freshProfile, launch } from '../test/e2e/browser.ts';
import { relayBase } from '../worker/sync/transport.ts';
import type { ChromiumSyncTiming } from './page-sync.ts';
import { benchReady } from './chromium.ts';
import { PageSchema } from './json-floor.ts';
import { startProxyProcess } from './relay.ts';
import { ms, type Row } from './stats.ts';
import { startSandboxProcess } from './sync.ts';
import { sampleTab } from './tab-memory.ts';
import { rawFetchParse } from './walk.ts';

const P2_CUSTOMERS = Number(process.env.BENCH_P2_CUSTOMERS ?? 100_000);
/**
 * The issue's P8 size. The sandbox needs ~7.6 GB of heap and ~2.5 minutes to generate 1M customers with their
 * related objects (it gets 12 GB, see startSandboxProcess); `BENCH_P8_CUSTOMERS` runs another size.
 */
const P8_CUSTOMERS = Number(process.env.BENCH_P8_CUSTOMERS ?? 1_000_000);
const HEAP_LIMIT_MB = 512;
const MB = 1024 * 1024;
const KEY = SANDBOX_CREDENTIALS.stripe.api_key;
/** The engine worker's built script (web/lib/engine.ts starts worker/main.ts). */
const ENGINE_SCRIPT = /\/assets\/main-[\w-]+\.js$/;

export type SyncBench = {
  syncSource(name: string, type: string, table: string): Promise<ChromiumSyncTiming>;
  pullTeam(source: string, table: string): Promise<ChromiumSyncTiming>;
  rawWalk(base: string, key: string): Promise<{ ms: number; rows: number }>;
  bareJsonLoad(
    base: string,
    key: string,
    columns: ReturnType<PageSchema['columns']>,
  ): Promise<{ ms: number; loadMs: number; rows: number }>;
  duckdbMemory(): Promise<number>;
  progress(): { rows: number; pages: number; phase: string };
};
declare const dinobaseSyncBench: SyncBench;

export interface ChromiumSyncRun {
  customers: number;
  syncMs: number;
  /** The sync's fetch phase (to its first `loading` event); the rest of `syncMs` is the load. */
  fetchMs: number | null;
  /** Raw fetch+parse in the page, straight to the sandbox (null when not measured). */
  browserRawMs: number | null;
  /** The same walk in the same page through the proxy's relay (`/api/relay/bench/`): a relayed sync's floor. */
  browserRelayMs: number | null;
  /** That relayed walk keeping the pages, then DuckDB-WASM's own JSON reader loads them (null when not measured). */
  browserFloorMs: number | null;
  /** Of it, DuckDB-WASM's load after the walk. */
  floorLoadMs: number | null;
  /** Why the floor failed: its row says so, and the sync's rows stand. */
  floorError: string | null;
  nodeRawMs: number | null;
  /** Peak of the engine worker's used JS heap (CDP Runtime.getHeapUsage), in MB. */
  engineHeapMb: number;
  /** Peak RSS of the app's renderer process (page, both workers, DuckDB's wasm memory), in MB. */
  rendererRssMb: number;
  /** DuckDB's own memory at the end (duckdb_memory(), inside the wasm memory), in MB. */
  duckdbMemoryMb: number | null;
  persistent: boolean;
  error: string | null;
}

/**
 * One fresh browser profile (empty OPFS) on the app's origin, served by the proxy in its own process, which
 * holds the key of a source `bench` pointing at a sandbox process with `customers` Stripe customers.
 * The baseline walks the same pages from the same page straight to the sandbox's origin: the browser runs with
 * web security off and CSP bypassed for that cross-origin fetch (the product's requests are same-origin, so
 * neither changes what the sync does). `search` is the page's URL query (`?duckdb=blocking`: the opt-in driver).
 */
export async function syncInChromium(
  customers: number,
  withBaseline: boolean,
  search = '',
): Promise<ChromiumSyncRun> {
  const run: ChromiumSyncRun = {
    customers,
    syncMs: 0,
    fetchMs: null,
    browserRawMs: null,
    browserRelayMs: null,
    browserFloorMs: null,
    floorLoadMs: null,
    floorError: null,
    nodeRawMs: null,
    engineHeapMb: 0,
    rendererRssMb: 0,
    duckdbMemoryMb: null,
    persistent: false,
    error: null,
  };
  try {
    return await syncRun(customers, withBaseline, run, search);
  } catch (error) {
    // A vendor or browser that fails to start fails the row, not the whole table.
    run.error ??= error instanceof Error ? error.message : String(error);
    return run;
  }
}

async function syncRun(
  customers: number,
  withBaseline: boolean,
  run: ChromiumSyncRun,
  search: string,
): Promise<ChromiumSyncRun> {
  const sandbox = await startSandboxProcess(customers, undefined, customers > 200_000 ? 12_288 : undefined);
  const proxy = await startProxyProcess(sandbox.base).catch((error: unknown) => {
    sandbox.stop();
    throw error;
  });
  const profile = freshProfile();
  const context = await launch(profile.dir, ['--disable-web-security'], { bypassCSP: true }).catch(
    (error: unknown) => {
      proxy.stop();
      sandbox.stop();
      throw error;
    },
  );
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    let crashed = '';
    page.on('crash', () => (crashed = 'the tab crashed'));
    page.on('pageerror', (e) => (crashed ||= `page error: ${e.message}`));
    await page.goto(`${proxy.origin}/bench/page.html${search}`);
    await benchReady(page);
    const walkInPage = (url: string) =>
      page.evaluate(([base, key]) => dinobaseSyncBench.rawWalk(base, key), [url, KEY] as const);
    const relayed = relayBase(proxy.origin, 'bench').href;
    // The records' types for the floor, learnt from the walk that warms the sandbox's indexes.
    const schema = new PageSchema();
    if (withBaseline) {
      await rawFetchParse(sandbox.base, KEY, (text) => schema.observe(text));
      await walkInPage(sandbox.base); // and the browser's connections, straight and through the relay
      await walkInPage(relayed);
      const started = performance.now();
      if ((await rawFetchParse(sandbox.base, KEY)) !== customers)
        throw new Error('Node raw walk: wrong row count');
      run.nodeRawMs = performance.now() - started;
      const raw = await walkInPage(sandbox.base);
      if (raw.rows !== customers)
        throw new Error(`browser raw walk: ${raw.rows} rows, expected ${customers}`);
      run.browserRawMs = raw.ms;
      const relay = await walkInPage(relayed);
      if (relay.rows !== customers)
        throw new Error(`browser relay walk: ${relay.rows} rows, expected ${customers}`);
      run.browserRelayMs = relay.ms;
    }
    const sampler = await sampleTab(page, profile.dir, ENGINE_SCRIPT, async (peaks) => {
      const p = await page.evaluate(() => dinobaseSyncBench.progress()).catch(() => null);
      process.stderr.write(
        `[sync ${customers.toLocaleString('en-US')}] ${p?.phase ?? '?'}: ${p?.rows.toLocaleString('en-US') ?? '?'} rows; ` +
          `peaks: engine heap ${peaks.engineHeapMb.toFixed(0)} MB, renderer RSS ${peaks.rendererRssMb.toFixed(0)} MB\n`,
      );
    });
    let timing: ChromiumSyncTiming | null = null;
    try {
      timing = await page.evaluate(() => dinobaseSyncBench.syncSource('bench', 'stripe', 'customers'));
    } catch (error) {
      run.error = crashed || (error instanceof Error ? error.message : String(error));
    }
    const peak = await sampler.stop();
    run.engineHeapMb = peak.engineHeapMb;
    run.rendererRssMb = peak.rendererRssMb;
    if (peak.samples === 0) run.error ??= 'the engine worker was never sampled';
    if (timing) {
      run.syncMs = timing.ms;
      run.fetchMs = timing.fetchMs;
      run.persistent = timing.persistent;
      if (timing.loaded !== customers) run.error = `loaded ${timing.loaded} of ${customers} rows`;
      run.duckdbMemoryMb = await page
        .evaluate(() => dinobaseSyncBench.duckdbMemory())
        .then((bytes) => bytes / MB)
        .catch(() => null);
    }
    if (withBaseline && timing && !run.error) {
      const floor = await page
        .evaluate(([base, key, columns]) => dinobaseSyncBench.bareJsonLoad(base, key, columns), [
          relayed,
          KEY,
          schema.columns(),
        ] as const)
        .catch((error: unknown) => (run.floorError = error instanceof Error ? error.message : String(error)));
      if (typeof floor !== 'string') {
        if (floor.rows === customers) [run.browserFloorMs, run.floorLoadMs] = [floor.ms, floor.loadMs];
        else run.floorError = `the floor loaded ${floor.rows} of ${customers} rows`;
      }
    }
    if (crashed) run.error ??= crashed;
    return run;
  } finally {
    await context.close().catch(() => {});
    profile.remove();
    proxy.stop();
    sandbox.stop();
  }
}

/** "fetching 7,912 ms, loading 1,208 ms": where a sync's time went. */
const phases = (run: ChromiumSyncRun) =>
  run.fetchMs === null
    ? 'phases unknown'
    : `fetching ${ms(run.fetchMs)}, loading ${ms(run.syncMs - run.fetchMs)}`;
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));
const rateText = (rows: number, ms: number) => `${rate(rows, ms).toLocaleString('en-US')} rows/s`;

/** P2's Chromium run, kept so that P8 in the same `npm run bench` compares against it instead of running it twice. */
let p2Run: ChromiumSyncRun | null = null;

function failed(run: ChromiumSyncRun): string | null {
  if (run.error) return run.error;
  if (!run.persistent) return 'the engine did not open an OPFS database';
  return null;
}

/** The P2 row measured in Chromium, and the Node raw walk for context. */
export async function benchSyncChromium(): Promise<Row[]> {
  const run = (p2Run = await syncInChromium(P2_CUSTOMERS, true));
  const k = `${P2_CUSTOMERS / 1000}k`;
  const problem = failed(run);
  // The two in-page walks are measured together: a failed one fails the run (`problem`).
  if (problem || run.browserRawMs === null || run.browserRelayMs === null)
    return [
      {
        benchmark: `sync ${k} Stripe customers in Chromium`,
        ours: problem ?? '-',
        baseline: '-',
        ratio: '-',
        goal: '≥ 0.7×',
        verdict: 'no',
      },
    ];
  const ratio = run.browserRawMs / run.syncMs;
  // The opt-in blocking driver (DuckDB in the engine's worker: one thread for fetching, normalising and inserts),
  // in a fresh profile of its own, against the same raw walk.
  const blocking = await syncInChromium(P2_CUSTOMERS, false, '?duckdb=blocking');
  const blockingProblem = failed(blocking);
  const blockingRatio = run.browserRawMs / blocking.syncMs;
  return [
    {
      benchmark: `sync ${k} Stripe customers in Chromium through the relay into OPFS vs raw fetch+parse in the same page straight to the sandbox (${phases(run)}; peaks: engine heap ${run.engineHeapMb.toFixed(0)} MB, renderer RSS ${run.rendererRssMb.toFixed(0)} MB)`,
      ours: `${ms(run.syncMs)} (${rateText(P2_CUSTOMERS, run.syncMs)})`,
      baseline: `${ms(run.browserRawMs)} (${rateText(P2_CUSTOMERS, run.browserRawMs)})`,
      ratio: `${ratio.toFixed(2)}× throughput`,
      goal: '≥ 0.7×',
      verdict: ratio >= 0.7 ? 'yes' : 'no',
    },
    {
      benchmark: `same sync on the blocking driver (?duckdb=blocking) vs the same raw walk (${phases(blocking)}; peaks: engine heap ${blocking.engineHeapMb.toFixed(0)} MB, renderer RSS ${blocking.rendererRssMb.toFixed(0)} MB)`,
      ours: blockingProblem ?? `${ms(blocking.syncMs)} (${rateText(P2_CUSTOMERS, blocking.syncMs)})`,
      baseline: `${ms(run.browserRawMs)} (${rateText(P2_CUSTOMERS, run.browserRawMs)})`,
      ratio: blockingProblem ? '-' : `${blockingRatio.toFixed(2)}× throughput`,
      goal: '≥ 0.7×',
      verdict: !blockingProblem && blockingRatio >= 0.7 ? 'yes' : 'no',
    },
    {
      benchmark: `  context: the same raw walk in the same page through the relay (a relayed sync's floor) vs straight to the sandbox; the sync's fetch phase vs this walk: ${run.fetchMs === null ? '-' : `${(run.browserRelayMs / run.fetchMs).toFixed(2)}×`}`,
      ours: `${ms(run.browserRelayMs)} (${rateText(P2_CUSTOMERS, run.browserRelayMs)})`,
      baseline: `${ms(run.browserRawMs)}`,
      ratio: `${(run.browserRawMs / run.browserRelayMs).toFixed(2)}× throughput`,
      goal: 'report',
      verdict: '-',
    },
    {
      benchmark: `  floor: the same relayed walk in the same page keeping each page's text, then DuckDB-WASM alone loads them (its JSON reader, insertJSONFromPath, the records' types given up front; a row per record, nested objects as STRUCTs; in memory; of it the load ${run.floorLoadMs === null ? '-' : ms(run.floorLoadMs)}) vs the raw walk straight to the sandbox`,
      ours:
        run.browserFloorMs === null
          ? (run.floorError ?? '-')
          : `${ms(run.browserFloorMs)} (${rateText(P2_CUSTOMERS, run.browserFloorMs)})`,
      baseline: `${ms(run.browserRawMs)}`,
      ratio:
        run.browserFloorMs === null
          ? '-'
          : `${(run.browserRawMs / run.browserFloorMs).toFixed(2)}× throughput`,
      goal: 'report',
      verdict: '-',
    },
    {
      benchmark: `  context: the same raw walk in Node (sandbox in its own process)`,
      ours: `${ms(run.nodeRawMs!)} (${rateText(P2_CUSTOMERS, run.nodeRawMs!)})`,
      baseline: `${ms(run.browserRawMs)}`,
      ratio: `${(run.nodeRawMs! / run.browserRawMs).toFixed(2)}× the browser's time`,
      goal: 'report',
      verdict: '-',
    },
  ];
}

/** P8: a big sync (300k by default, see P8_CUSTOMERS) the same way, at ≥ 0.9× P2's per-row rate, the engine worker's heap under 512 MB, no crash. */
export async function benchBigSync(): Promise<Row[]> {
  const p2 = p2Run ?? (await syncInChromium(P2_CUSTOMERS, false));
  const run = await syncInChromium(P8_CUSTOMERS, false);
  const name = `sync ${(P8_CUSTOMERS / 1000).toLocaleString('en-US')}k Stripe customers into OPFS in Chromium vs P2's per-row rate`;
  const problem = failed(run) ?? (failed(p2) ? `P2 failed: ${failed(p2)}` : null);
  if (problem)
    return [{ benchmark: name, ours: problem, baseline: '-', ratio: '-', goal: '≥ 0.9×', verdict: 'no' }];
  const ratio = rate(P8_CUSTOMERS, run.syncMs) / rate(P2_CUSTOMERS, p2.syncMs);
  const heapOk = run.engineHeapMb < HEAP_LIMIT_MB;
  const extra = [
    phases(run),
    `renderer RSS peak ${run.rendererRssMb.toFixed(0)} MB`,
    run.duckdbMemoryMb !== null ? `DuckDB memory ${run.duckdbMemoryMb.toFixed(0)} MB` : null,
  ].filter(Boolean);
  return [
    {
      benchmark: name,
      ours: `${ms(run.syncMs)} (${rateText(P8_CUSTOMERS, run.syncMs)})`,
      baseline: `${ms(p2.syncMs)} (${rateText(P2_CUSTOMERS, p2.syncMs)})`,
      ratio: `${ratio.toFixed(2)}× rate`,
      goal: '≥ 0.9×',
      verdict: ratio >= 0.9 ? 'yes' : 'no',
    },
    {
      benchmark: `${name}: engine worker's peak JS heap (${extra.join(', ')})`,
      ours: `${run.engineHeapMb.toFixed(1)} MB`,
      baseline: `${P2_CUSTOMERS / 1000}k: ${p2.engineHeapMb.toFixed(1)} MB`,
      ratio: '-',
      goal: `< ${HEAP_LIMIT_MB} MB, no crash`,
      verdict: heapOk ? 'yes' : 'no',
    },
  ];
}
