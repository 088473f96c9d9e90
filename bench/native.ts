// DuckDB-WASM (Node bundle, the engine's own driver) vs native DuckDB (@duckdb/node-api) on a 1M-row group-by.
import { DuckDBInstance } from '@duckdb/node-api';
import { openWith } from '../worker/duckdb/node.ts';
import { median, ms, type Row } from './stats.ts';

const CREATE = 'CREATE TABLE t AS SELECT i, i % 1000 AS g, (i * 7919) % 10007 AS v FROM range(1000000) r(i)';
const GROUP_BY = 'SELECT g, count(*) AS n, sum(v) AS s, avg(i) AS a FROM t GROUP BY g ORDER BY g';
const RUNS = 15;

async function time(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await run();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    out.push(performance.now() - started);
  }
  return out;
}

export async function benchNative(): Promise<Row[]> {
  const wasmDb = await openWith('wasm')({ path: ':memory:' });
  const wasm = await wasmDb.connect();
  await wasm.query(CREATE);
  const wasmTimes = await time(async () => {
    const table = await wasm.query(GROUP_BY);
    if (table.numRows !== 1000) throw new Error('wrong group count');
  });
  await wasmDb.close();

  const rows: Row[] = [];
  for (const threads of [1, 2]) {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const native = await instance.connect();
    await native.run(CREATE);
    const nativeTimes = await time(async () => {
      const reader = await native.runAndReadAll(GROUP_BY);
      if (reader.currentRowCount !== 1000) throw new Error('wrong group count');
    });
    native.closeSync();
    instance.closeSync();
    const ratio = median(wasmTimes) / median(nativeTimes);
    rows.push({
      benchmark: `1M-row group-by: DuckDB-WASM vs native (${threads} thread${threads > 1 ? 's' : ''}), Node`,
      ours: ms(median(wasmTimes)),
      baseline: ms(median(nativeTimes)),
      ratio: `${ratio.toFixed(2)}×`,
      goal: 'report',
      verdict: '-',
    });
  }
  return rows;
}
