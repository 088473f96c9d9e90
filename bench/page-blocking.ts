// Browser side of P1's blocking-bindings rows: the probe's and the app's reads on both drivers against raw conn.query, their cancels, the starts.
import { tableFromIPC } from 'apache-arrow';
import { duckdbWasmUrl, duckdbWorker } from '../worker/duckdb/spawn.ts';
import { duckdb } from '../worker/duckdb/driver.ts';
import { lockdown } from '../worker/duckdb/lockdown.ts';
import type { EngineApi } from '../worker/api.ts';
import { Comlink, getEngine, type Engine } from '../web/lib/engine.ts';
import type { BlockingProbe, QueryStats } from './blocking-probe.ts';
import { timeRaw } from './raw-duckdb.ts';
import type { TwoHopAnswer, TwoHopRequest } from './bench-two-hop.ts';

const engine = getEngine();

/** The app's engine on the blocking driver (bench/bench-engine-blocking.ts), started on first use. */
let blockingEngine: Engine | null = null;

function appOnBlocking(): Engine {
  blockingEngine ??= Comlink.wrap<EngineApi>(
    new Worker(new URL('./bench-engine-blocking.ts', import.meta.url), {
      type: 'module',
      name: 'bench-engine-blocking',
    }),
  );
  return blockingEngine;
}

/** The floor of the default driver's two hops (bench/bench-two-hop.ts), started on first use. */
let twoHop: Worker | null = null;
let twoHopCalls = 0;

/** One read relayed through the two-hop worker, main thread to decoded table. */
async function timeTwoHop(
  sql: string,
  mode: TwoHopRequest['mode'],
): Promise<{ elapsed: number; rows: number }> {
  twoHop ??= new Worker(new URL('./bench-two-hop.ts', import.meta.url), {
    type: 'module',
    name: 'bench-two-hop',
  });
  const worker = twoHop;
  const id = ++twoHopCalls;
  const started = performance.now();
  const answer = await new Promise<TwoHopAnswer>((resolve) => {
    const onAnswer = ({ data }: MessageEvent<TwoHopAnswer>) => {
      if (data.id !== id) return;
      worker.removeEventListener('message', onAnswer);
      resolve(data);
    };
    worker.addEventListener('message', onAnswer);
    worker.postMessage({ id, sql, mode } satisfies TwoHopRequest);
  });
  if ('error' in answer) throw new Error(`the two-hop floor's read failed: ${answer.error}`);
  const rows = tableFromIPC(answer.ipc).numRows;
  return { elapsed: performance.now() - started, rows };
}

/** The probe's own OPFS file: the app's engine holds dinobase.duckdb in this page. */
const PROBE_PATH = 'opfs://bench-blocking.duckdb';
const PROBE_TABLE = 'bench_wide';
/** How long a long query runs before it is cancelled: well past planning, into execution. */
const CANCEL_AFTER_MS = 300;

interface Probe {
  probe: Comlink.Remote<BlockingProbe>;
  worker: Worker;
}

function spawnProbe(): Probe {
  const worker = new Worker(new URL('./bench-blocking.ts', import.meta.url), {
    type: 'module',
    name: 'bench-blocking',
  });
  return { probe: Comlink.wrap<BlockingProbe>(worker), worker };
}

async function openProbe(path: string): Promise<Probe> {
  const spawned = spawnProbe();
  await spawned.probe.instantiate({ wasm: duckdbWasmUrl() });
  await spawned.probe.open({ path });
  return spawned;
}

async function countOf(probe: Comlink.Remote<BlockingProbe>, table: string): Promise<number> {
  const ipc = await probe.query({ sql: `SELECT count(*) AS n FROM ${table}`, queryId: 'count' });
  return Number(tableFromIPC(ipc).getChildAt(0)!.get(0));
}

/**
 * The probe the reads run on. A first probe writes `sql`'s rows into its OPFS file, checkpoints and is
 * terminated; this one reopens the file and must find them: the blocking bindings' whole OPFS path.
 */
let queryProbe: Promise<Probe> | null = null;

async function openQueryProbe(sql: string): Promise<Probe> {
  const writer = await openProbe(PROBE_PATH);
  await writer.probe.query({ sql: `CREATE OR REPLACE TABLE ${PROBE_TABLE} AS ${sql}`, queryId: 'create' });
  await writer.probe.query({ sql: 'CHECKPOINT', queryId: 'checkpoint' });
  const written = await countOf(writer.probe, PROBE_TABLE);
  writer.worker.terminate();
  const reader = await openProbe(PROBE_PATH);
  const reopened = await countOf(reader.probe, PROBE_TABLE);
  if (reopened !== written || written === 0)
    throw new Error(
      `the probe wrote ${written} rows to ${PROBE_PATH} but found ${reopened} after reopening it`,
    );
  return reader;
}

type ProbeMode = 'pending' | 'run';

export interface ProbeTiming {
  rows: number;
  /** Raw conn.query on the page's own async instance (bench/raw-duckdb.ts), P1's baseline. */
  raw: number[];
  /** The app's cancellable runQuery (P1's first row) in the same loop, for a direct comparison. */
  app: number[];
  /** The same on the opt-in blocking driver (`?duckdb=blocking`): DuckDB in the engine's worker. */
  appBlocking: number[];
  /**
   * Raw runQuery relayed through one more worker that holds DuckDB's worker (bench/bench-two-hop.ts): the hops of the
   * default driver (page → engine worker → DuckDB's worker and back) with none of the engine's work.
   */
  twoHop: number[];
  /** The same worker reading through the driver's cancellable streamed head (`queryHead`), as the engine does. */
  twoHopHead: number[];
  /** The probe's read per `BlockingProbe.query` mode, main thread to decoded table. */
  pending: number[];
  run: number[];
  /** Where each timed read's time went inside the probe worker. */
  inside: Record<ProbeMode, QueryStats[]>;
}

/** P1's first row, as bench/page.ts times it: the app's cancellable runQuery on `on`, Arrow decoded. */
async function timeApp(on: Engine, sql: string, queryId: string): Promise<number> {
  const started = performance.now();
  const result = await on.runQuery({ sql, maxRows: 1_000_000, queryId });
  if (!('ipc' in result)) throw new Error(`the app's read failed: ${JSON.stringify(result)}`);
  tableFromIPC(result.ipc);
  return performance.now() - started;
}

/**
 * The probe's read of `sql` (main thread → probe worker → IPC → decoded) in both modes against raw conn.query
 * and the app's path, all four in each iteration. They share one loop because a freshly instantiated DuckDB
 * runs slower until V8 has tiered its hot wasm functions up: separate loops would time the first on colder code.
 */
async function measureBlocking(sql: string, runs: number, warmup: number): Promise<ProbeTiming> {
  const { probe } = await (queryProbe ??= openQueryProbe(sql));
  const timing: ProbeTiming = {
    rows: 0,
    raw: [],
    app: [],
    appBlocking: [],
    twoHop: [],
    twoHopHead: [],
    pending: [],
    run: [],
    inside: { pending: [], run: [] },
  };
  await Promise.all([engine.open(), appOnBlocking().open()]);
  const paths = ['pending', 'run', 'raw', 'app', 'appBlocking', 'twoHop', 'twoHopHead'] as const;
  for (let i = 0; i < warmup + runs; i++) {
    // The order rotates, so a change in the machine's load hits all seven alike.
    for (let k = 0; k < paths.length; k++) {
      const path = paths[(i + k) % paths.length]!;
      if (path === 'twoHop' || path === 'twoHopHead') {
        const { elapsed, rows } = await timeTwoHop(sql, path === 'twoHop' ? 'run' : 'head');
        if (timing.rows && rows !== timing.rows)
          throw new Error(`the two-hop floor read ${rows} rows, the other paths ${timing.rows}`);
        timing.rows = rows;
        if (i >= warmup) timing[path].push(elapsed);
        continue;
      }
      if (path === 'raw' || path === 'app' || path === 'appBlocking') {
        const elapsed =
          path === 'raw'
            ? await timeRaw(sql)
            : await timeApp(path === 'app' ? engine : appOnBlocking(), sql, `read-${i}`);
        if (i >= warmup) timing[path].push(elapsed);
        continue;
      }
      const started = performance.now();
      const table = tableFromIPC(await probe.query({ sql, queryId: `read-${i}-${path}`, mode: path }));
      const elapsed = performance.now() - started;
      if (timing.rows && table.numRows !== timing.rows)
        throw new Error(`the probe's ${path} read gave ${table.numRows} rows, the other ${timing.rows}`);
      timing.rows = table.numRows;
      if (i >= warmup) {
        timing[path].push(elapsed);
        timing.inside[path].push(await probe.lastQuery());
      }
    }
  }
  return timing;
}

export interface CancelTiming {
  /** Milliseconds from the cancel call to the probe's rejection. */
  probe: number[];
  /** The same through the app's engine (`runQuery`, then `cancel`), today's path. */
  app: number[];
  /** The same through the app's engine on the blocking driver. */
  appBlocking: number[];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cancelProbe(probe: Comlink.Remote<BlockingProbe>, sql: string, queryId: string) {
  const settled = probe.query({ sql, queryId }).then(
    () => null,
    (error: unknown) => error,
  );
  await pause(CANCEL_AFTER_MS);
  const started = performance.now();
  if (!(await probe.cancel({ queryId })))
    throw new Error(`the probe's query ${queryId} ended before its cancel`);
  const error = await settled;
  const elapsed = performance.now() - started;
  if (!(error instanceof Error) || !/interrupted/i.test(error.message))
    throw new Error(`the probe's cancelled query did not fail as interrupted: ${String(error)}`);
  return elapsed;
}

async function cancelApp(on: Engine, sql: string, queryId: string) {
  const result = on.runQuery({ sql, maxRows: 200, queryId });
  await pause(CANCEL_AFTER_MS);
  const started = performance.now();
  await on.cancel({ queryId });
  const outcome = await result;
  const elapsed = performance.now() - started;
  if (!('error' in outcome) || outcome.code !== 'interrupted')
    throw new Error(`the app's cancelled query did not fail as interrupted: ${JSON.stringify(outcome)}`);
  return elapsed;
}

/** Cancels `sql` (a query that runs until cancelled) `runs` times on each path, alternating. */
async function cancelLatency(sql: string, runs: number): Promise<CancelTiming> {
  if (!queryProbe) throw new Error('measureBlocking opens the probe; run it first');
  const { probe } = await queryProbe;
  await Promise.all([engine.open(), appOnBlocking().open()]);
  const timing: CancelTiming = { probe: [], app: [], appBlocking: [] };
  const kinds = ['probe', 'app', 'appBlocking'] as const;
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < kinds.length; k++) {
      const which = kinds[(i + k) % kinds.length]!;
      if (which === 'probe') timing.probe.push(await cancelProbe(probe, sql, `cancel-${i}`));
      else
        timing[which].push(await cancelApp(which === 'app' ? engine : appOnBlocking(), sql, `cancel-${i}`));
    }
  }
  return timing;
}

export interface StartTiming {
  /** From creating the worker to its script loaded and answering. */
  spawn: number;
  /** DuckDB fetched (the same cached URL), compiled and instantiated. */
  instantiate: number;
  /** Opening a new OPFS database, a connection and the lockdown. */
  open: number;
}

async function startBlocking(path: string): Promise<StartTiming> {
  const started = performance.now();
  const { probe, worker } = spawnProbe();
  const inWorker = await probe.instantiate({ wasm: duckdbWasmUrl() });
  const instantiated = performance.now();
  await probe.open({ path });
  const opened = performance.now();
  worker.terminate();
  const spawn = instantiated - started - inWorker;
  return { spawn, instantiate: inWorker, open: opened - instantiated };
}

/** As bench/bare.ts starts it: DuckDB's worker fenced as the app fences it, pinged, then instantiated. */
async function startAsync(path: string): Promise<StartTiming> {
  const started = performance.now();
  const wasm = duckdbWasmUrl();
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), duckdbWorker(wasm));
  await db.ping();
  const spawned = performance.now();
  await db.instantiate(wasm);
  const instantiated = performance.now();
  await db.open({
    path,
    accessMode: duckdb.DuckDBAccessMode.READ_WRITE,
    query: { castBigIntToDouble: false, castDecimalToDouble: false },
  });
  const conn = await db.connect();
  await conn.query(lockdown(path).join(';\n'));
  const opened = performance.now();
  await db.terminate();
  return { spawn: spawned - started, instantiate: instantiated - spawned, open: opened - instantiated };
}

/** Starts each kind `rounds` times, alternating, each on a new OPFS file of its own. */
async function startups(rounds: number): Promise<{ blocking: StartTiming[]; async: StartTiming[] }> {
  const blocking: StartTiming[] = [];
  const async: StartTiming[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const which of i % 2 ? ['async', 'blocking'] : ['blocking', 'async']) {
      if (which === 'blocking') blocking.push(await startBlocking(`opfs://bench-start-blocking-${i}.duckdb`));
      else async.push(await startAsync(`opfs://bench-start-async-${i}.duckdb`));
    }
  }
  return { blocking, async };
}

Object.assign(globalThis, { dinobaseBlockingBench: { measureBlocking, cancelLatency, startups } });
