// `npx tsx bench/engine-read.ts [reads]`: P1's read in Node on the blocking driver, each path's time outside DuckDB's calls.
import { DinobaseDB } from '../worker/db.ts';
import { wrapBlockingDuckDB } from '../worker/duckdb/blocking.ts';
import { openMemoryBindings } from '../worker/duckdb/blocking-node.ts';
import { QueryEngine } from '../worker/query/engine.ts';
import { ManualClock } from '../worker/testing.ts';
import { WIDE } from './query-path.ts';
import { median } from './stats.ts';

const READS = Number(process.argv[2] ?? 100);
const WARMUP = 10;

/** The blocking bindings as blocking-node.ts opens them, each call's time added to `inDuckDB`. */
let inDuckDB = 0;
const bindings = await openMemoryBindings();
const timed = new Proxy(bindings, {
  get(target, key) {
    const value: unknown = Reflect.get(target, key);
    if (typeof value !== 'function') return value;
    return (...args: unknown[]): unknown => {
      const started = performance.now();
      try {
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      } finally {
        inDuckDB += performance.now() - started;
      }
    };
  },
});

const db = new DinobaseDB(':memory:', {
  clock: new ManualClock(),
  open: async () => wrapBlockingDuckDB(timed, { path: ':memory:', persistent: false }),
});
const engine = new QueryEngine(db);
await engine.connect();
const conn = await db.connect();
// A second connection of the same database, called directly: what the probe does (bench/blocking-probe.ts).
const raw = timed.connect().useUnsafe((_, id) => id);

/** The probe's read: a streamed pending query, its messages as they came (never joined), nothing else. */
function probeRead(): Uint8Array[] {
  let header = timed.startPendingQuery(raw, WIDE, true);
  while (header == null) header = timed.pollPendingQuery(raw);
  const chunks = [header];
  for (;;) {
    const chunk = timed.fetchQueryResults(raw);
    if (chunk == null) continue;
    if (chunk.byteLength === 0) break;
    chunks.push(chunk);
  }
  return chunks;
}

const signal = () => new AbortController().signal;
const paths: [string, () => Promise<unknown>][] = [
  ['raw runQuery (one call)', async () => timed.runQuery(raw, WIDE)],
  ['probe: pending', async () => probeRead()],
  [
    'conn.queryHead',
    () => conn.queryHead(WIDE, { maxRows: 1_000_000, wrappable: true, single: true, signal: signal() }),
  ],
  [
    'engine.executeArrow',
    async () => {
      const result = await engine.executeArrow(WIDE, { maxRows: 1_000_000, signal: signal() });
      if (!('ipc' in result)) throw new Error(`P1's read failed: ${JSON.stringify(result)}`);
    },
  ],
];
const total = new Map<string, number[]>();
const outside = new Map<string, number[]>();
for (let i = 0; i < WARMUP + READS; i++) {
  // The order rotates, so a change in the machine's load (or a GC) hits every path alike.
  for (let k = 0; k < paths.length; k++) {
    const [name, read] = paths[(i + k) % paths.length]!;
    inDuckDB = 0;
    const started = performance.now();
    await read();
    const elapsed = performance.now() - started;
    if (i < WARMUP) continue;
    total.set(name, [...(total.get(name) ?? []), elapsed]);
    outside.set(name, [...(outside.get(name) ?? []), elapsed - inDuckDB]);
  }
}
console.log(`P1's 10k × 10 read, ${READS} reads per path (medians, ms): total, outside DuckDB's calls`);
for (const [name] of paths) {
  console.log(
    `${name.padEnd(26)} ${median(total.get(name)!).toFixed(2)}  ${median(outside.get(name)!).toFixed(3)}`,
  );
}
await db.close();
