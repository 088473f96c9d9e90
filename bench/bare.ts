// The bare start-up baseline (P3, P4): DuckDB-WASM from the app's own cached files, one OPFS database, one query, nothing else.
import { duckdb, wrapDuckDB } from '../worker/duckdb/driver.ts';
import { DEFAULT_PATH } from '../worker/duckdb/browser.ts';
import { chunkPort } from '../worker/duckdb/chunk-port.ts';
import { duckdbWasmUrl, duckdbWorker } from '../worker/duckdb/spawn.ts';

/** Read first, so that "script" is when this page's code began to run (navigation start is 0). */
const scriptStart = performance.now();

const params = new URLSearchParams(location.search);

/**
 * Its own file beside the app's, opened as the app's driver opens it (READ_WRITE on OPFS). Two diagnostics, never
 * the baseline, add what the app does in DuckDB before its first answer. P3's (`?file=lockdown&steps=read`) runs
 * the lockdown (`wrapDuckDB`), then reads `SELECT 1` as the engine does (below), on a file of its own so that no
 * page waits for another's OPFS handles. P4's (`?file=app&steps=engine`) opens the app's file and runs the
 * engine's own open steps before the count: the lockdown and the migration check (`prepareOnOpen`).
 */
const FILES: Record<string, string> = { app: DEFAULT_PATH, lockdown: 'opfs://bench-lockdown.duckdb' };
const BARE_PATH = FILES[params.get('file') ?? ''] ?? 'opfs://bench-bare.duckdb';
const steps = params.get('steps');
/** Loaded (while DuckDB instantiates) only for P4's diagnostic, so the baseline's script stays as it was. */
const engineSteps =
  steps === 'engine'
    ? Promise.all([import('../worker/meta/migrations.ts'), import('../worker/clock.ts')])
    : null;

/** Milliseconds since navigation start at the end of each step (`npm run bench` prints their differences). */
export interface BareTiming {
  script: number;
  /** DuckDB's worker spawned and answering (its script loaded). */
  worker: number;
  /** The wasm fetched, compiled and instantiated. */
  instantiate: number;
  open: number;
  /** P3's diagnostic only: the lockdown done (the read takes the rest of `query`). */
  lockdown?: number;
  /** The first query's answer in hand (SELECT 1, or the count in reopen mode). */
  query: number;
  /** What the query answered. */
  value: number;
}

const BIG_TABLE = 'bench_big';

async function run(mode: string, rows: number): Promise<BareTiming> {
  const wasm = duckdbWasmUrl();
  const spawned = duckdbWorker(wasm);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), spawned);
  await db.ping();
  const worker = performance.now();
  await db.instantiate(wasm);
  const instantiate = performance.now();
  await db.open({
    path: BARE_PATH,
    accessMode: duckdb.DuckDBAccessMode.READ_WRITE,
    query: { castBigIntToDouble: false, castDecimalToDouble: false },
  });
  const open = performance.now();
  if (steps === 'read') {
    // The engine's read of the app's first query, in DuckDB's worker: a pending, streamed query whose first
    // chunks come back over the chunk port in one round trip (queryHead), cancellable by its signal; its head
    // decoded as the app's page decodes the bytes it is handed. Without the engine's worker, Comlink, the
    // classifier or the grid.
    const wrapped = await wrapDuckDB(db, {
      path: BARE_PATH,
      persistent: true,
      fileHandles: 'filereader',
      fetchChunks: chunkPort(spawned),
    });
    const lockdown = performance.now();
    const head = await (
      await wrapped.connect()
    ).queryHead('SELECT 1 AS one', {
      // The engine's DEFAULT_MAX_ROWS (one row fits any); importing it would load the engine into this page.
      maxRows: 200,
      single: true,
      wrappable: true,
      signal: new AbortController().signal,
    });
    return shown(Number(head.table.getChildAt(0)?.get(0)), { worker, instantiate, open, lockdown });
  }
  if (engineSteps) {
    const wrapped = await wrapDuckDB(db, { path: BARE_PATH, persistent: true });
    const [{ prepareOnOpen }, { systemClock }] = await engineSteps;
    await prepareOnOpen(await wrapped.connect(), systemClock);
  }
  const conn = await db.connect();
  if (mode === 'create') {
    await conn.query(`CREATE OR REPLACE TABLE ${BIG_TABLE} AS SELECT range AS id, range % 100 AS bucket,
      'name-' || range AS name, range * 0.01 AS amount, TIMESTAMP '2026-01-01' + INTERVAL (range) SECOND AS at
      FROM range(${rows})`);
    await conn.query('CHECKPOINT');
  }
  const sql = mode === 'start' ? 'SELECT 1 AS one' : `SELECT count(*) AS n FROM ${BIG_TABLE}`;
  return shown(Number((await conn.query(sql)).getChildAt(0)?.get(0)), { worker, instantiate, open });
}

/** Shown as the app shows its first result, so every page pays for one DOM update. */
function shown(
  value: number,
  steps: Pick<BareTiming, 'worker' | 'instantiate' | 'open' | 'lockdown'>,
): BareTiming {
  document.getElementById('result')!.textContent = String(value);
  return { script: scriptStart, ...steps, query: performance.now(), value };
}

run(params.get('mode') ?? 'start', Number(params.get('rows') ?? 0)).then(
  (timing) => (document.body.dataset.bare = JSON.stringify(timing)),
  (error: unknown) => (document.body.dataset.bare = JSON.stringify({ error: String(error) })),
);
