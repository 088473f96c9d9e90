// P7: `SELECT *` on a 10M-row table through QueryEngine.execute vs the same with `LIMIT maxRows`, on both drivers, in time and memory.
import { DinobaseDB } from '../worker/db.ts';
import { openWith, type DriverName } from '../worker/duckdb/node.ts';
import { DEFAULT_MAX_ROWS, QueryEngine, isErrorResult } from '../worker/query/engine.ts';
import { pair } from './drivers.ts';
import { median, ms, type Row } from './stats.ts';

const ROWS = Number(process.env.BENCH_P7_ROWS ?? 10_000_000);
const CREATE = `CREATE TABLE t AS SELECT i AS id, 'cus_' || i AS ref, i * 1.5 AS amount, i % 7 AS k
  FROM range(${ROWS}) r(i)`;
const FULL = 'SELECT * FROM t';
const LIMITED = `SELECT * FROM t LIMIT ${DEFAULT_MAX_ROWS}`;
const MB = 1024 * 1024;

function execute(engine: QueryEngine, sql: string, total: number): () => Promise<void> {
  return async () => {
    const result = await engine.execute(sql);
    if (isErrorResult(result) || !('rows' in result) || result.total_rows !== total)
      throw new Error(`execute(${sql}) did not report ${total} rows`);
  };
}

/**
 * The growth of the process's resident memory while `run` runs (sampled every 5 ms, DuckDB-WASM's worker
 * thread included), in MB. Resident memory rarely shrinks (wasm memory never does), so callers measure the
 * smaller candidates first.
 */
async function peakGrowth(run: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    await run();
  } finally {
    clearInterval(sample);
  }
  return (Math.max(peak, process.memoryUsage().rss) - before) / MB;
}

async function timed(run: () => Promise<unknown>, times = 3): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    out.push(performance.now() - started);
  }
  return median(out);
}

const mb = (v: number) => `${v.toFixed(1)} MB`;

async function benchOn(driver: DriverName): Promise<Row[]> {
  const db = new DinobaseDB(':memory:', { open: openWith(driver) });
  try {
    await db.run(CREATE);
    const engine = new QueryEngine(db);
    const limited = execute(engine, LIMITED, DEFAULT_MAX_ROWS);
    const full = execute(engine, FULL, ROWS);
    await limited();
    const memLimited = await peakGrowth(limited);
    const memFull = await peakGrowth(full);
    const [ours, base] = await pair(full, limited);
    const name = `${ROWS / 1e6}M-row SELECT * via execute (maxRows ${DEFAULT_MAX_ROWS}) on ${driver}`;
    const rows: Row[] = [
      {
        benchmark: `${name} vs LIMIT ${DEFAULT_MAX_ROWS}`,
        ours: ms(ours),
        baseline: ms(base),
        ratio: `${(ours / base).toFixed(2)}×`,
        goal: '≤ 1.5×',
        verdict: ours / base <= 1.5 ? 'yes' : 'no',
      },
      {
        // Growth of a few MB is allocator noise, so the goal allows 16 MB beside the 1.5×.
        benchmark: `${name}: peak RSS growth vs LIMIT ${DEFAULT_MAX_ROWS}`,
        ours: mb(memFull),
        baseline: mb(memLimited),
        ratio: `+${(memFull - memLimited).toFixed(1)} MB`,
        goal: '≤ 1.5× (+16 MB)',
        verdict: memFull <= 1.5 * Math.max(memLimited, 0) + 16 ? 'yes' : 'no',
      },
    ];
    // The candidates that lost (docs/ARCHITECTURE.md, Bounded results), measured last: they grow memory for good.
    const conn = await db.connect();
    try {
      const drained = await timed(async () => {
        const head = await conn.queryHead(FULL, { maxRows: DEFAULT_MAX_ROWS, wrappable: false });
        if (head.totalRows !== ROWS) throw new Error('the streamed count is wrong');
      });
      rows.push({
        benchmark: `${name}, loser: stream every row and count it (no count(*)) vs LIMIT`,
        ours: ms(drained),
        baseline: ms(base),
        ratio: `${(drained / base).toFixed(2)}×`,
        goal: 'report',
        verdict: '-',
      });
      let memWhole = 0;
      const whole = await timed(async () => {
        memWhole = Math.max(memWhole, await peakGrowth(() => conn.query(FULL)));
      }, 1);
      rows.push({
        benchmark: `${name}, before P7: materialise every row, then slice`,
        ours: `${ms(whole)}, ${mb(memWhole)}`,
        baseline: ms(base),
        ratio: `${(whole / base).toFixed(2)}×`,
        goal: 'report',
        verdict: '-',
      });
    } finally {
      await conn.close();
    }
    return rows;
  } finally {
    await db.close();
  }
}

/** P7 on native DuckDB, then on DuckDB-WASM (its worker thread shares this process's RSS). */
export async function benchBounded(): Promise<Row[]> {
  return [...(await benchOn('native')), ...(await benchOn('wasm'))];
}
