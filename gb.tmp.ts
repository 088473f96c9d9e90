import { DuckDBInstance } from '@duckdb/node-api';
import { DinobaseDB } from './worker/db.ts';
import { openWith } from './worker/duckdb/node.ts';
import { QueryEngine } from './worker/query/engine.ts';
import { resultHead } from './worker/duckdb/native-arrow.ts';
import { tableToRows } from './worker/values.ts';
const CREATE = 'CREATE TABLE t AS SELECT i, i % 1000 AS g, (i * 7919) % 10007 AS v FROM range(1000000) r(i)';
const Q = 'SELECT g, count(*) AS n, sum(v) AS s, avg(i) AS a FROM t GROUP BY g ORDER BY g';
const inst = await DuckDBInstance.create(':memory:'); const c = await inst.connect(); await c.run(CREATE);
const db = new DinobaseDB(':memory:', { open: openWith('native') }); await db.run(CREATE); const e = new QueryEngine(db);
const cases: Record<string, () => Promise<unknown>> = {
  raw: async () => (await c.runAndReadAll(Q)).getRowObjectsJson(),
  rawStream: async () => { const r = await c.stream(Q); const h = await resultHead(r, 1000); return tableToRows(h.table); },
  rawRun: async () => { const r = await c.run(Q); const h = await resultHead(r, 1000); return tableToRows(h.table); },
  engine: () => e.execute(Q, { maxRows: 1000 }),
};
const t: Record<string, number[]> = {}; for (const k in cases) t[k] = [];
for (let i = 0; i < 100; i++) for (const [k, f] of Object.entries(cases)) { const s = performance.now(); await f(); if (i >= 5) t[k]!.push(performance.now() - s); }
for (const [k, v] of Object.entries(t)) { v.sort((a, b) => a - b); console.log(k, v[v.length >> 1]!.toFixed(2)); }
