import { DuckDBInstance } from '@duckdb/node-api';
import { DinobaseDB } from './worker/db.ts';
import { openWith } from './worker/duckdb/node.ts';
import { QueryEngine } from './worker/query/engine.ts';
const CREATE = 'CREATE TABLE t AS SELECT i, i % 1000 AS g, (i * 7919) % 10007 AS v FROM range(1000000) r(i)';
const Q = 'SELECT g, count(*) AS n, sum(v) AS s, avg(i) AS a FROM t GROUP BY g ORDER BY g';
const inst = await DuckDBInstance.create(':memory:'); const c = await inst.connect(); await c.run(CREATE);
const db = new DinobaseDB(':memory:', { open: openWith('native') }); await db.run(CREATE); const e = new QueryEngine(db);
const conn = await db.conn;
const inst2 = await DuckDBInstance.create(':memory:'); const c2 = await inst2.connect(); await c2.run(CREATE);
const cases: Record<string, () => Promise<unknown>> = {
  raw: async () => (await c.runAndReadAll(Q)).getRowObjectsJson(),
  rawLimit: async () => (await c2.runAndReadAll(`SELECT * FROM (\n${Q}\n) LIMIT 1001`)).getRowObjectsJson(),
  engine: () => e.execute(Q, { maxRows: 1000 }),
  connQuery: async () => conn.query(Q),
};
const t: Record<string, number[]> = {}; for (const k in cases) t[k] = [];
for (let i = 0; i < 200; i++) for (const [k, f] of Object.entries(cases)) { const s = performance.now(); await f(); if (i >= 5) t[k]!.push(performance.now() - s); }
for (const [k, v] of Object.entries(t)) { v.sort((a, b) => a - b); console.log(k, 'p25', v[v.length >> 2]!.toFixed(2), 'med', v[v.length >> 1]!.toFixed(2)); }
