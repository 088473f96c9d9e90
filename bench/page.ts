// Browser side of the Chromium benchmarks: the query path (Comlink vs raw conn.query), reopening a big OPFS database, the /mcp bridge.
import { tableFromIPC } from 'apache-arrow';
import { DinobaseDB } from '../worker/db.ts';
import { DEFAULT_PATH } from '../worker/duckdb/browser.ts';
import { AgentChannel } from '../web/lib/agent-channel.ts';
import { getEngine } from '../web/lib/engine.ts';
import './page-blocking.ts';
import './page-sync.ts';
import { timeRaw } from './raw-duckdb.ts';

const engine = getEngine();

export interface PathTiming {
  ours: number[];
  raw: number[];
  rows: number;
}

/** Interleaves both measurements per iteration so machine noise hits them alike. */
async function measure(sql: string, runs: number, warmup: number, cancellable = true): Promise<PathTiming> {
  await engine.open();
  const ours: number[] = [];
  const raw: number[] = [];
  let rows = 0;
  for (let i = 0; i < warmup + runs; i++) {
    const started = performance.now();
    // With a queryId the UI can cancel, which makes DuckDB run it as a pending query fetched chunk by chunk.
    const queryId = cancellable ? `bench-${i}` : undefined;
    const result = await engine.runQuery({ sql, maxRows: 1_000_000, queryId });
    if ('error' in result) throw new Error(String(result.error));
    if (!('ipc' in result)) throw new Error('The benchmark query was routed as a mutation.');
    const table = tableFromIPC(result.ipc);
    rows = table.numRows;
    const elapsed = performance.now() - started;
    const baseline = await timeRaw(sql);
    if (i >= warmup) {
      ours.push(elapsed);
      raw.push(baseline);
    }
  }
  return { ours, raw, rows };
}

/**
 * Writes `rows` rows into the app's OPFS database (outside the app's schemas) and checkpoints them, as the
 * engine would: its own DinobaseDB opens and migrates the file, in this page while the engine has not opened
 * it. The database stays open until the page goes, like a tab closed mid-session (recovery.e2e.ts relies on
 * the WAL that leaves). Returns the milliseconds the write took.
 */
async function createBig(rows: number): Promise<number> {
  const db = new DinobaseDB(DEFAULT_PATH);
  await db.conn;
  const started = performance.now();
  await db.run(`CREATE OR REPLACE TABLE main.bench_big AS SELECT range AS id, range % 100 AS bucket,
    'name-' || range AS name, range * 0.01 AS amount, TIMESTAMP '2026-01-01' + INTERVAL (range) SECOND AS at
    FROM range(${rows})`);
  await db.run('CHECKPOINT');
  return performance.now() - started;
}

export interface ReopenTiming {
  /** From engine.open() to the count's result, minus the wasm instantiation. */
  afterInstantiate: number;
  instantiate: number;
  open: number;
  connect: number;
  count: number;
  rows: number;
}

/** In a freshly loaded page: opens the database as the app does, then counts the big table through the UI path. */
async function reopenCount(): Promise<ReopenTiming> {
  // The engine worker's own modules loaded first (a call that touches no database): the clock below starts, as
  // the bare page's does, with the code in place; DuckDB may still be instantiating (instantiate_ms is that wait).
  await engine.listConnectors();
  const started = performance.now();
  const info = await engine.open();
  const opened = performance.now();
  const result = await engine.runQuery({
    sql: 'SELECT count(*) AS n FROM main.bench_big',
    queryId: 'reopen',
  });
  if (!('ipc' in result)) throw new Error(`count failed: ${JSON.stringify(result)}`);
  const rows = Number(tableFromIPC(result.ipc).getChildAt(0)!.get(0));
  const done = performance.now();
  const startup = info.startup ?? { instantiate_ms: 0, open_ms: 0, connect_ms: 0 };
  return {
    afterInstantiate: done - started - startup.instantiate_ms,
    instantiate: startup.instantiate_ms,
    open: startup.open_ms,
    connect: startup.connect_ms,
    count: done - opened,
    rows,
  };
}

/** Serves /mcp calls from this page, as the app's tab does (web/state/Agents.svelte.ts). */
async function serveAgents(): Promise<void> {
  await engine.open();
  new AgentChannel({ engine, mayConfirm: () => true }).start();
}

/** One `execute` of `sql` called directly in this tab: the baseline of the /mcp bridge. */
async function executeOnce(sql: string): Promise<number> {
  const started = performance.now();
  const result = await engine.execute({ sql, maxRows: 200 });
  if ('error' in result) throw new Error(String(result.error));
  return performance.now() - started;
}

/** One `agentTool` query in this tab (validation, execute, the agent_log row): the tool's own share of a call. */
async function agentToolOnce(sql: string): Promise<number> {
  const started = performance.now();
  const result = await engine.agentTool({
    name: 'query',
    args: { sql },
    client: 'bench',
    transport: 'http',
    agentsMayConfirm: true,
  });
  if (result.isError) throw new Error(result.text);
  return performance.now() - started;
}

Object.assign(globalThis, {
  dinobaseBench: { measure, createBig, reopenCount, serveAgents, executeOnce, agentToolOnce },
});
document.body.dataset.ready = 'true';
