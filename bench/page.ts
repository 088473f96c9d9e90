// Browser side of the Chromium benchmarks: the query path (Comlink vs raw conn.query) and reopening a big OPFS database.
import { tableFromIPC } from 'apache-arrow';
import { getEngine } from '../web/lib/engine.ts';

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
    const baseline = await engine.rawQueryTiming({ sql, runs: 1 });
    if (i >= warmup) {
      ours.push(elapsed);
      raw.push(baseline.runs[0]!);
    }
  }
  return { ours, raw, rows };
}

/** Writes `rows` rows to OPFS (bench-only raw SQL, outside the app's schemas) and checkpoints them. */
async function createBig(rows: number): Promise<number> {
  await engine.open();
  const sql = `CREATE OR REPLACE TABLE main.bench_big AS SELECT range AS id, range % 100 AS bucket,
    'name-' || range AS name, range * 0.01 AS amount, TIMESTAMP '2026-01-01' + INTERVAL (range) SECOND AS at
    FROM range(${rows})`;
  const created = await engine.rawQueryTiming({ sql, runs: 1 });
  await engine.rawQueryTiming({ sql: 'CHECKPOINT', runs: 1 });
  return created.runs[0]!;
}

export interface ReopenTiming {
  /** From engine.open() to the count's result, minus the wasm instantiation. */
  afterInstantiate: number;
  instantiate: number;
  open: number;
  migrate: number;
  count: number;
  rows: number;
}

/** In a freshly loaded page: opens the database as the app does, then counts the big table through the UI path. */
async function reopenCount(): Promise<ReopenTiming> {
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
  const startup = info.startup ?? { instantiate_ms: 0, open_ms: 0, migrate_ms: 0 };
  return {
    afterInstantiate: done - started - startup.instantiate_ms,
    instantiate: startup.instantiate_ms,
    open: startup.open_ms,
    migrate: startup.migrate_ms,
    count: done - opened,
    rows,
  };
}

Object.assign(globalThis, { dinobaseBench: { measure, createBig, reopenCount } });
document.body.dataset.ready = 'true';
