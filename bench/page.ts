// Browser side of the query-path benchmark: times the UI's Comlink call against raw conn.query in the worker.
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

Object.assign(globalThis, { dinobaseBench: { measure } });
document.body.dataset.ready = 'true';
