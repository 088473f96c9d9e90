// Sync throughput: 100k Stripe customers from the sandbox into DuckDB vs fetching and JSON-parsing the same pages.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_CREDENTIALS } from '../proxy/sandbox/index.ts';
import { DinobaseDB } from '../worker/db.ts';
import { openWith, type DriverName } from '../worker/duckdb/node.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { bareNativeJsonLoad, bareWasmJsonLoad } from './bare-load.ts';
import { startAnnounced } from './child.ts';
import { PageSchema } from './json-floor.ts';
import { median, ms, type Row } from './stats.ts';
import { rawFetchParse } from './walk.ts';

export { rawFetchParse };

const CUSTOMERS = 100_000;
/** Walk/sync pairs per driver; the row reports the medians (`BENCH_SYNC_PAIRS` changes it). */
const PAIRS = Number(process.env.BENCH_SYNC_PAIRS ?? 3);

/** The sandbox runs in its own process, as a vendor API would: its CPU must not share our thread. */
export async function startSandboxProcess(
  customers = CUSTOMERS,
  perSecond = 1_000_000,
  /** V8's old-space limit for the sandbox; 1M customers with their related objects outgrow the default 4 GB. */
  heapMb?: number,
): Promise<{ base: string; stop(): void }> {
  const heap = heapMb ? ` --max-old-space-size=${heapMb}` : '';
  // A vendor does not stop answering for seconds: without these, V8's memory reducer ran an 11 s mark-compact of
  // the 1M sandbox's 7 GB heap in the middle of P8's sync (--trace-gc), and nothing else moved meanwhile. The
  // generation's garbage is collected before serving (serve.ts), and a 64 MB young generation lets each page's
  // garbage die there.
  const gcFlags = ['--expose-gc', '--no-memory-reducer', '--max-semi-space-size=64'];
  const sandbox = await startAnnounced(
    [...gcFlags, '--import', 'tsx', 'proxy/sandbox/serve.ts'],
    {
      PORT: '0',
      STRIPE_CUSTOMERS: String(customers),
      RATE_LIMIT: String(perSecond),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''}${heap}`,
    },
    /SANDBOX_URL=(\S+)/,
    'the sandbox',
  );
  return { base: `${sandbox.address}stripe/`, stop: sandbox.stop };
}

/**
 * One sync of every customer into a fresh database on `driver`, in memory or in a new file (what `dinobase sync`
 * writes to by default); its time, the rows checked.
 */
async function syncOnce(base: string, driver: DriverName, file = false): Promise<number> {
  const dir = file ? mkdtempSync(join(tmpdir(), 'dinobase-bench-sync-')) : null;
  const db = new DinobaseDB(dir ? join(dir, 'bench.duckdb') : ':memory:', { open: openWith(driver) });
  try {
    await db.conn;
    const engine = new SyncEngine(db);
    const started = performance.now();
    const result = await engine.sync('stripe', {
      type: 'stripe',
      base_url: base,
      credentials: SANDBOX_CREDENTIALS.stripe,
      resources: ['customers'],
    });
    const elapsed = performance.now() - started;
    if (result.status !== 'success') throw new Error(`sync failed: ${result.error}`);
    const loaded = await db.getRowCount('stripe', 'customers');
    if (loaded !== CUSTOMERS) throw new Error(`expected ${CUSTOMERS}, loaded ${loaded}`);
    return elapsed;
  } finally {
    await db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const rate = (ms: number) => `${Math.round(CUSTOMERS / (ms / 1000)).toLocaleString('en-US')} rows/s`;

/**
 * The engine's sync on the browser's DuckDB-WASM, and headless on native DuckDB (direct to the vendor, as Node
 * syncs are), each against raw fetch+parse of the same pages measured just before it.
 */
export async function benchSync(): Promise<Row[]> {
  const sandbox = await startSandboxProcess();
  const key = SANDBOX_CREDENTIALS.stripe.api_key;
  const rows: Row[] = [];
  try {
    // Warms the sandbox's indexes and the HTTP stack alike, and learns the records' types for the DuckDB-WASM floor.
    const schema = new PageSchema();
    await rawFetchParse(sandbox.base, key, (text) => schema.observe(text));
    const columns = schema.columns();
    /** The floor's own time: DuckDB alone loading the walked pages (bench/bare-load.ts). */
    const bareLoad = async () => {
      const started = performance.now();
      const loaded = await bareNativeJsonLoad(sandbox.base, key);
      if (loaded !== CUSTOMERS) throw new Error(`the bare load read ${loaded} of ${CUSTOMERS} customers`);
      return performance.now() - started;
    };
    const bareWasmLoad = async () => {
      const { ms: took, rows: loaded } = await bareWasmJsonLoad(sandbox.base, key, columns);
      if (loaded !== CUSTOMERS)
        throw new Error(`the DuckDB-WASM bare load read ${loaded} of ${CUSTOMERS} customers`);
      return took;
    };
    const cases = [
      { label: 'DuckDB-WASM', goal: 0.7, run: () => syncOnce(sandbox.base, 'wasm') },
      { label: 'headless, native DuckDB', goal: 0.8, run: () => syncOnce(sandbox.base, 'native') },
      // The CLI's default: its database is a file, so the commit also writes the rows to disk.
      {
        label: 'headless, native DuckDB, into a file',
        goal: 0.8,
        run: () => syncOnce(sandbox.base, 'native', true),
      },
      // No Dinobase code: what native DuckDB's own JSON reader needs to load the same walked pages.
      {
        label:
          'floor: the raw walk keeping each page as a file, then native DuckDB alone loads them ' +
          '(read_json, a row per record, nested objects as STRUCTs)',
        goal: undefined,
        run: bareLoad,
      },
      // The same for the DuckDB-WASM row: the browser's engine's own JSON reader (it needs no json extension).
      {
        label:
          "floor: the raw walk keeping each page's text, then DuckDB-WASM alone loads them " +
          "(its JSON reader, insertJSONFromPath, the records' types given up front; a row per record, nested objects as STRUCTs)",
        goal: undefined,
        run: bareWasmLoad,
      },
    ] as const;
    for (const { label, goal, run } of cases) {
      // Median of PAIRS alternating pairs: one walk and one sync swing with the machine's load by more than the gap.
      const rawTimes: number[] = [];
      const syncTimes: number[] = [];
      for (let i = 0; i < PAIRS; i++) {
        const walk = async () => {
          const started = performance.now();
          const rawRows = await rawFetchParse(sandbox.base, key);
          rawTimes.push(performance.now() - started);
          if (rawRows !== CUSTOMERS) throw new Error(`expected ${CUSTOMERS} raw rows, got ${rawRows}`);
        };
        if (i % 2 === 0) await walk();
        syncTimes.push(await run());
        if (i % 2 === 1) await walk();
      }
      const rawMs = median(rawTimes);
      const syncMs = median(syncTimes);
      const ratio = rawMs / syncMs;
      const spread = syncTimes.map((t, i) => `${(rawTimes[i]! / t).toFixed(2)}`).join(', ');
      rows.push({
        benchmark: goal
          ? `sync 100k Stripe customers into DuckDB (${label}) vs raw fetch+parse (Node, sandbox in its own process; median of ${PAIRS} alternating pairs, each pair ${spread})`
          : `${label}, 100k customers, vs raw fetch+parse (median of ${PAIRS} alternating pairs, each pair ${spread})`,
        ours: `${ms(syncMs)} (${rate(syncMs)})`,
        baseline: `${ms(rawMs)} (${rate(rawMs)})`,
        ratio: `${ratio.toFixed(2)}× throughput`,
        goal: goal ? `≥ ${goal}×` : 'report',
        verdict: goal ? (ratio >= goal ? 'yes' : 'no') : '-',
      });
    }
    return rows;
  } finally {
    sandbox.stop();
  }
}
