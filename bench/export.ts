// Export: a 1M-row table to Parquet through the engine (DuckDB-WASM + parquet-wasm, zstd) vs native DuckDB's COPY … TO (FORMAT parquet).
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DinobaseDB } from '../worker/db.ts';
import { openWith } from '../worker/duckdb/node.ts';
import { exportData } from '../worker/export/export.ts';
import { loadParquetWasm } from '#parquet';
import { ManualClock } from '../worker/testing.ts';
import { median, ms, type Row } from './stats.ts';

const CREATE =
  "CREATE TABLE bench.t AS SELECT i, i % 1000 AS g, 'name ' || (i % 5000) AS label, (i * 0.01)::DECIMAL(18,2) AS amount " +
  'FROM range(1000000) r(i)';
const RUNS = 3;

async function time(run: () => Promise<unknown>): Promise<number[]> {
  await run();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    out.push(performance.now() - started);
  }
  return out;
}

export async function benchExport(): Promise<Row[]> {
  const db = new DinobaseDB(':memory:', { clock: new ManualClock(), open: openWith('wasm') });
  await db.run('CREATE SCHEMA bench');
  await db.run(CREATE);
  let bytes = 0;
  const ours = await time(async () => {
    bytes = 0;
    const result = await exportData(
      db,
      { table: 'bench.t', format: 'parquet' },
      { onChunk: (chunk) => void (bytes += chunk.byteLength), loadParquet: loadParquetWasm },
    );
    if (result.row_count !== 1_000_000) throw new Error('wrong row count');
  });
  await db.close();

  const dir = await mkdtemp(join(tmpdir(), 'dinobase-bench-export-'));
  const instance = await DuckDBInstance.create(':memory:');
  const native = await instance.connect();
  await native.run('CREATE SCHEMA bench');
  await native.run(CREATE);
  const file = join(dir, 't.parquet');
  const baseline = await time(() =>
    native.run(`COPY bench.t TO '${file}' (FORMAT parquet, COMPRESSION zstd)`),
  );
  const nativeBytes = (await stat(file)).size;
  native.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
  return [
    {
      benchmark: `1M-row table to Parquet (zstd): exportData on DuckDB-WASM + parquet-wasm vs native COPY, Node (${(bytes / 1e6).toFixed(1)} MB vs ${(nativeBytes / 1e6).toFixed(1)} MB)`,
      ours: ms(median(ours)),
      baseline: ms(median(baseline)),
      ratio: `${(median(ours) / median(baseline)).toFixed(2)}×`,
      goal: 'report',
      verdict: '-',
    },
  ];
}
