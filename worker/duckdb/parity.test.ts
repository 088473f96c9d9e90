// The drivers side by side on the same queries (native, DuckDB-WASM async and blocking): one DuckDB release, equal Arrow schemas, equal JSON.
import {
  Bool,
  DataType,
  DateDay,
  Field,
  Float64,
  Int64,
  List,
  Table,
  TimestampMicrosecond,
  Utf8,
  tableFromIPC,
  vectorFromArray,
  type Schema,
} from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { QueryEngine, type ArrowQueryResult, type QueryResult } from '../query/engine.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { tableToRows } from '../values.ts';
import { DRIVERS, type DriverName } from './node.ts';

const dbs = {} as Record<DriverName, DinobaseDB>;

/** One row of every type the issue names, then a row of NULLs in each. */
const TYPED = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE SCHEMA p;
  CREATE TABLE p.typed AS SELECT * FROM (VALUES
    (1, 9007199254740993::BIGINT, (-9223372036854775808)::BIGINT, 18446744073709551615::UBIGINT,
     -170141183460469231731687303715884105727::HUGEINT, 12345678901234567890123456.123456789012::DECIMAL(38,12),
     -0.000000000001::DECIMAL(38,12), 123.45::DECIMAL(5,2), TIMESTAMP '2024-02-29 23:59:59.123456',
     TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMPTZ '2024-02-29 23:59:59.654321+00', DATE '1969-12-31',
     TIME '04:05:06.789012', INTERVAL '1 year 2 months 3 days 04:05:06.789012', INTERVAL '-2 days -00:00:01',
     '5f3c1e58-4e1a-4b7e-9a3b-1c2d3e4f5a6b'::UUID, '\\xDE\\xAD\\xBE\\xEF'::BLOB, [1, NULL, 3], []::INTEGER[],
     [{'a': 1, 'b': 'x'}], {'a': 1, 'b': 'x', 'c': [1.5, NULL]}, MAP {'k': [1.5], 'j': []}, 'happy'::mood,
     ['ok', 'sad']::mood[], 'naïve ✓', 3.25::DOUBLE, 'NaN'::DOUBLE, 'inf'::DOUBLE, 1.5::FLOAT, true, 42::TINYINT,
     -7::SMALLINT, 7::INTEGER, 7::UINTEGER, [1, 2]::INTEGER[2]),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
  ) v(id, big, big_min, ubig, huge, dec38, dec38_tiny, dec5, ts, ts_pre_epoch, tstz, d, t, iv, iv_neg, u, b,
      l, l_empty, l_struct, s, m, e, e_list, txt, dbl, nan, inf, f, bool, ti, si, i, ui, arr)`;

const SELECT_TYPED = 'SELECT * FROM p.typed ORDER BY id';

beforeAll(async () => {
  for (const driver of DRIVERS) {
    dbs[driver] = memoryDB(new ManualClock(), driver);
    await dbs[driver].run(TYPED);
  }
});
afterAll(async () => {
  for (const driver of DRIVERS) await dbs[driver]?.close();
});

/** Runs the same thing on every driver and returns the results in DRIVERS' order: [native, wasm, blocking]. */
function both<T>(task: (db: DinobaseDB, driver: DriverName) => Promise<T>): Promise<T[]> {
  return Promise.all(DRIVERS.map((driver) => task(dbs[driver], driver)));
}

/** Every driver's result equals native DuckDB's (the first); returns that one. */
function alike<T>([native, ...others]: T[]): T {
  for (const other of others) expect(other).toEqual(native);
  return native!;
}

/** Everything an Arrow field says about its type, recursively, for an exact comparison. */
function describeField(field: Field): unknown {
  const type = field.type as DataType;
  return {
    // apache-arrow writes no name for an empty one (an ARRAY's child), and reads it back as null.
    name: field.name ?? '',
    type: String(type),
    typeId: type.typeId,
    nullable: field.nullable,
    metadata: [...field.metadata],
    dictionary: DataType.isDictionary(type) ? { id: type.id, indices: String(type.indices) } : null,
    children: (type.children ?? []).map(describeField),
  };
}

const describeSchema = (schema: Schema) => schema.fields.map(describeField);

function withoutTiming<T extends { elapsed_ms?: number }>(result: T): Omit<T, 'elapsed_ms'> {
  const { elapsed_ms: _elapsed, ...rest } = result;
  return rest;
}

describe('the native and both DuckDB-WASM drivers', () => {
  it('run the same DuckDB release, and package.json pins both packages exactly', async () => {
    const versions = await both(async (db) => (await db.database()).version);
    expect(alike(versions)).toMatch(/^v\d+\.\d+\.\d+$/);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const installed = (name: string) =>
      (
        JSON.parse(
          readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8'),
        ) as { version: string }
      ).version;
    for (const name of ['@duckdb/duckdb-wasm', '@duckdb/node-api']) {
      // An exact version, no range: a bump is a decision, made in one place.
      expect(pkg.dependencies[name]).toMatch(/^\d+\.\d+\.\d+(-r\.\d+)?$/);
      expect(installed(name)).toBe(pkg.dependencies[name]);
    }
    // node-api's version is the DuckDB release it links, plus a packaging revision.
    expect(`v${pkg.dependencies['@duckdb/node-api']!.replace(/-r\.\d+$/, '')}`).toBe(versions[0]);
  });

  it('give DinobaseDB.query and queryRaw the same exact JSON for every type, NULLs included', async () => {
    const native = alike(await both((db) => db.query(SELECT_TYPED)));
    alike(await both((db) => db.queryRaw(SELECT_TYPED)));
    // Equal is not enough: both must be right.
    expect(native[0]).toMatchObject({
      big: '9007199254740993',
      big_min: '-9223372036854775808',
      ubig: '18446744073709551615',
      huge: '-170141183460469231731687303715884105727',
      dec38: '12345678901234567890123456.123456789012',
      dec38_tiny: '-0.000000000001',
      dec5: '123.45',
      ts: '2024-02-29 23:59:59.123456',
      ts_pre_epoch: '1969-12-31 23:59:59.999999',
      tstz: '2024-02-29 23:59:59.654321+00',
      d: '1969-12-31',
      t: '04:05:06.789012',
      iv: '1 year 2 months 3 days 04:05:06.789012',
      iv_neg: '-2 days -00:00:01',
      u: '5f3c1e58-4e1a-4b7e-9a3b-1c2d3e4f5a6b',
      b: '3q2+7w==',
      l: [1, null, 3],
      l_empty: [],
      l_struct: [{ a: 1, b: 'x' }],
      s: { a: 1, b: 'x', c: ['1.5', null] },
      m: { k: ['1.5'], j: [] },
      e: 'happy',
      e_list: ['ok', 'sad'],
      txt: 'naïve ✓',
      nan: 'NaN',
      inf: 'Infinity',
      arr: [1, 2],
    });
    const nulls = Object.entries(native[1]!).filter(([k]) => k !== 'id');
    expect(nulls.every(([, v]) => v === null)).toBe(true);
  });

  it('give QueryEngine.execute the same result and DuckDB type names, and the grid the same Arrow', async () => {
    const results = await both((db) => new QueryEngine(db).execute(SELECT_TYPED));
    alike(results.map((r) => withoutTiming(r as QueryResult)));
    expect((results[0] as QueryResult).data_types).toMatchObject({
      huge: 'HUGEINT',
      dec38: 'DECIMAL(38,12)',
      tstz: 'TIMESTAMP WITH TIME ZONE',
      e: 'VARCHAR',
      m: 'MAP(VARCHAR, DECIMAL(2,1)[])',
    });
    const grids = await both((db) => new QueryEngine(db).executeArrow(SELECT_TYPED));
    const tables = grids.map((g) => tableFromIPC((g as ArrowQueryResult).ipc));
    alike(tables.map((t) => describeSchema(t.schema)));
    const native = tables[0]!;
    alike(tables.map((t) => tableToRows(t)));
    // A truncated result is re-encoded from the decoded table; it must survive that too.
    const capped = await both((db) => new QueryEngine(db).executeArrow(SELECT_TYPED, { maxRows: 1 }));
    const a = alike(capped.map((g) => tableToRows(tableFromIPC((g as ArrowQueryResult).ipc))));
    // Equal and right: apache-arrow 17 re-encoded MONTH_DAY_NANO intervals 3 words wide (headToIPC fixes it).
    expect(a).toEqual(tableToRows(native).slice(0, 1));
    expect(a[0]).toMatchObject({
      iv: '1 year 2 months 3 days 04:05:06.789012',
      iv_neg: '-2 days -00:00:01',
    });
  });

  it('describe tables alike (DESCRIBE, information_schema)', async () => {
    for (const sql of [
      'DESCRIBE p.typed',
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'typed' ORDER BY ordinal_position`,
    ]) {
      alike(await both((db) => db.query(sql)));
    }
  });

  it('bind parameters with the same types (a NULL aside: untyped natively, VARCHAR in DuckDB-WASM)', async () => {
    const sql = 'SELECT ? AS i, ? AS big, ? AS f, ? AS s, ? AS bo, ? AS huge, typeof(?) AS t, ? IS NULL AS n';
    const params = [7, 2 ** 40, 1.5, 'x', true, 2n ** 70n, 7, null];
    const tables = await both((db) => db.conn.then((conn) => conn.queryParams(sql, params)));
    alike(tables.map((t) => describeSchema(t.schema)));
    expect(alike(tables.map((t) => tableToRows(t)))).toEqual([
      { i: 7, big: 2 ** 40, f: 1.5, s: 'x', bo: true, huge: '1180591620717411303424', t: 'DOUBLE', n: true },
    ]);
  });

  it('insert the same Arrow table (create, then append) into the same rows', async () => {
    const arrow = new Table({
      id: vectorFromArray([1n, 2n, null], new Int64()),
      name: vectorFromArray(['a', null, 'ç'], new Utf8()),
      score: vectorFromArray([1.5, null, -2], new Float64()),
      ok: vectorFromArray([true, false, null], new Bool()),
      at: vectorFromArray([Date.UTC(2024, 0, 1, 12), null, 0], new TimestampMicrosecond()),
      day: vectorFromArray([Date.UTC(2024, 0, 1), null, Date.UTC(1969, 11, 31)], new DateDay()),
      tags: vectorFromArray([['x', 'y'], null, []], new List(new Field('item', new Utf8(), true))),
    });
    const rows = await both(async (db) => {
      const conn = await db.connect();
      await conn.insertArrow(arrow, { schema: 'p', name: 'loaded', create: true });
      await conn.insertArrow(arrow.slice(0, 1), { schema: 'p', name: 'loaded', create: false });
      await conn.close();
      return db.query('SELECT * FROM p.loaded ORDER BY id NULLS LAST, name');
    });
    expect(alike(rows)).toEqual([
      {
        id: 1,
        name: 'a',
        score: 1.5,
        ok: true,
        at: '2024-01-01 12:00:00',
        day: '2024-01-01',
        tags: ['x', 'y'],
      },
      {
        id: 1,
        name: 'a',
        score: 1.5,
        ok: true,
        at: '2024-01-01 12:00:00',
        day: '2024-01-01',
        tags: ['x', 'y'],
      },
      { id: 2, name: null, score: null, ok: false, at: null, day: null, tags: null },
      { id: null, name: 'ç', score: -2, ok: null, at: '1970-01-01 00:00:00', day: '1969-12-31', tags: [] },
    ]);
    const types = await both((db) =>
      db.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'loaded'`),
    );
    alike(types);
  });

  it('fail alike: a bad statement is a bad_sql QueryError, an abort interrupts and the connection lives on', async () => {
    const errors = await both((db) => db.query('SELECT * FROM p.nope').catch((e: unknown) => e));
    for (const error of errors) {
      expect(error).toMatchObject({
        name: 'QueryError',
        code: 'bad_sql',
        message: expect.stringMatching(/nope/),
      });
    }
    const aborted = await both(async (db) => {
      const conn = await db.connect();
      const outcome = await conn
        .query('SELECT count(*) FROM range(100000000000) a', { signal: AbortSignal.timeout(200) })
        .catch((e: unknown) => e);
      const after = tableToRows(await conn.query('SELECT 42 AS x'));
      await conn.close();
      return { outcome, after };
    });
    for (const { outcome, after } of aborted) {
      expect(outcome).toMatchObject({ name: 'QueryError', code: 'interrupted' });
      expect(after).toEqual([{ x: 42 }]);
    }
  });

  it('differ where the builds differ: only native DuckDB links the json extension', async () => {
    const sql = `SELECT json_extract('{"a":1}', '$.a')::INTEGER AS v`;
    await expect(dbs.native.query(sql)).resolves.toEqual([{ v: 1 }]);
    await expect(dbs.wasm.query(sql)).rejects.toMatchObject({ code: 'extension_unavailable' });
    await expect(dbs.blocking.query(sql)).rejects.toMatchObject({ code: 'extension_unavailable' });
  });

  it('run several statements in one call and return the last result', async () => {
    const results = await both((db) =>
      db.query('CREATE TEMP TABLE x AS SELECT 1 AS a; SELECT a + 1 AS b FROM x'),
    );
    expect(alike(results)).toEqual([{ b: 2 }]);
  });
});
