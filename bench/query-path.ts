// Query path in Chromium: the UI's Comlink call (Arrow IPC transferred and decoded) vs raw conn.query in the worker.
import { inChromium, openBenchPage } from './chromium.ts';
import { median, ms, type Row } from './stats.ts';

const WIDE = `SELECT i AS id, i * 7 AS n, i / 3.0 AS ratio, 'name-' || i AS name, i % 2 = 0 AS flag,
  TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS at, (i % 97)::INTEGER AS bucket, md5(i::VARCHAR) AS hash,
  [i, i + 1] AS pair, NULLIF(i % 5, 0) AS maybe FROM range(10000) t(i)`;

interface PathTiming {
  ours: number[];
  raw: number[];
  rows: number;
}

export function benchQueryPath(): Promise<Row[]> {
  return inChromium(async (page, server) => {
    await openBenchPage(page, server);
    const run = (sql: string, runs: number, cancellable = true) =>
      page.evaluate(
        ([s, n, c]) =>
          (
            globalThis as unknown as {
              dinobaseBench: {
                measure(sql: string, runs: number, warmup: number, cancellable: boolean): Promise<PathTiming>;
              };
            }
          ).dinobaseBench.measure(s, n, 5, c),
        [sql, runs, cancellable] as const,
      );
    const wide = await run(WIDE, 40);
    const wideOneTrip = await run(WIDE, 40, false);
    const tiny = await run('SELECT 42 AS answer', 100);
    if (wide.rows !== 10_000) throw new Error(`expected 10000 rows, got ${wide.rows}`);
    const wideRatio = median(wide.ours) / median(wide.raw);
    const oneTripRatio = median(wideOneTrip.ours) / median(wideOneTrip.raw);
    const added = median(tiny.ours) - median(tiny.raw);
    return [
      {
        benchmark: 'query path 10k×10, cancellable as the UI runs it (Chromium)',
        ours: ms(median(wide.ours)),
        baseline: ms(median(wide.raw)),
        ratio: `${wideRatio.toFixed(2)}×`,
        goal: '≤ 1.15×',
        verdict: wideRatio <= 1.15 ? 'yes' : 'no',
      },
      {
        benchmark: 'same, without cancel support (one round trip, runQuery)',
        ours: ms(median(wideOneTrip.ours)),
        baseline: ms(median(wideOneTrip.raw)),
        ratio: `${oneTripRatio.toFixed(2)}×`,
        goal: '≤ 1.15×',
        verdict: oneTripRatio <= 1.15 ? 'yes' : 'no',
      },
      {
        benchmark: 'query path 1 row (cancellable): added latency',
        ours: ms(median(tiny.ours)),
        baseline: ms(median(tiny.raw)),
        ratio: `+${added.toFixed(2)} ms`,
        goal: '< 3 ms',
        verdict: added < 3 ? 'yes' : 'no',
      },
    ];
  });
}
