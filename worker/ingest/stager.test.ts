// Staging as files (native DuckDB) gives the tables that staging into DuckDB-WASM's tables gives, and leaves no file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';
import type { DriverName } from '../duckdb/node.ts';
import { memoryDB, privateFiles } from '../testing.ts';
import { withStagedLoad, type WriteDisposition } from './load.ts';
import { Normalizer, type NormalizedTable } from './normalize.ts';
import type { ColumnType } from './types.ts';

const DRIVERS = ['native', 'wasm'] as const;
const dbs = {} as Record<DriverName, DinobaseDB>;

beforeAll(() => {
  for (const driver of DRIVERS) dbs[driver] = memoryDB(undefined, driver);
});
afterAll(async () => {
  for (const db of Object.values(dbs)) await db.close();
});

let loads = 0;

/** Stages each page as its own batch (as a sync does), commits, and reads the table back on `driver`. */
async function loadPages(
  driver: DriverName,
  pages: Record<string, unknown>[][],
  disposition: WriteDisposition = 'merge',
): Promise<{ rows: Record<string, unknown>[]; types: string[] }> {
  const db = dbs[driver];
  const schema = `s${++loads}`;
  const normalizer = new Normalizer({ table: 't', primaryKey: ['id'] });
  await withStagedLoad(
    () => db.connect(),
    schema,
    'test',
    async (load) => {
      for (const page of pages) {
        normalizer.add(page);
        for (const table of normalizer.tables.values()) load.stage(table);
      }
      return load.commit([{ root: 't', disposition }]);
    },
  );
  const columns = await db.getColumns(schema, 't');
  return {
    rows: await db.query(`SELECT * EXCLUDE (_dlt_id) FROM ${schema}.t ORDER BY id`),
    types: columns.map((c) => `${c.column_name} ${c.data_type}`),
  };
}

async function both(pages: Record<string, unknown>[][], disposition?: WriteDisposition) {
  const [native, wasm] = await Promise.all(DRIVERS.map((driver) => loadPages(driver, pages, disposition)));
  return { native: native!, wasm: wasm! };
}

const nativeFiles = async () => privateFiles(await dbs.native.database());

describe('staging as files', () => {
  it('widens types across batches to the values a staging table gives, on both drivers alike', async () => {
    const { native, wasm } = await both([
      [{ id: 'a', v: 1, flag: true, tags: ['x', 'y'], day: '2026-01-02' }],
      [{ id: 'b', v: 1.5, flag: 'yes', extra: 'e', day: '2026-01-02T03:04:05Z' }],
      [{ id: 'c', v: 'text', tags: 'scalar' }],
    ]);
    expect(native).toEqual(wasm);
    expect(native.types).toEqual([
      'id VARCHAR',
      'v VARCHAR',
      'flag VARCHAR',
      'tags VARCHAR',
      'day TIMESTAMP',
      '_dlt_id VARCHAR',
      'extra VARCHAR',
    ]);
    // BIGINT 1 became DOUBLE 1.0 and then text, as two ALTERs on a staging table would have it.
    expect(native.rows[0]).toMatchObject({ id: 'a', v: '1.0', flag: 'true', day: '2026-01-02 00:00:00' });
    expect(native.rows[1]).toMatchObject({ id: 'b', v: '1.5', flag: 'yes', extra: 'e', tags: null });
    expect(native.rows[2]).toMatchObject({ id: 'c', v: 'text', tags: 'scalar', extra: null });
  });

  it('keeps the last copy of a record staged twice', async () => {
    const page = (v: number) => [
      { id: 'a', v },
      { id: 'b', v },
    ];
    const { native, wasm } = await both([page(1), [{ id: 'c', v: 0 }], page(2)]);
    expect(native).toEqual(wasm);
    expect(native.rows).toEqual([
      { id: 'a', v: 2 },
      { id: 'b', v: 2 },
      { id: 'c', v: 0 },
    ]);
  });

  it('reads one layout straight into place and leaves neither files nor staging tables', async () => {
    const pages = Array.from({ length: 4 }, (_, p) =>
      Array.from({ length: 50 }, (_, i) => ({
        id: `r${p * 50 + i}`,
        n: i,
        at: '2026-01-02T03:04:05.123456Z',
      })),
    );
    const { native, wasm } = await both(pages, 'replace');
    expect(native).toEqual(wasm);
    expect(native.rows).toHaveLength(200);
    expect(await nativeFiles()).toEqual([]);
    for (const db of Object.values(dbs)) expect(await db.getTables('_dinobase_staging')).toEqual([]);
  });

  it('deletes the files of a load that fails before its commit', async () => {
    const db = dbs.native;
    const normalizer = new Normalizer({ table: 't', primaryKey: ['id'] });
    const stopped = new AbortController();
    stopped.abort(new Error('stopped'));
    await expect(
      withStagedLoad(
        () => db.connect(),
        'failed',
        'test',
        async (load) => {
          normalizer.add([{ id: 'a', n: 1 }]);
          for (const table of normalizer.tables.values()) load.stage(table);
          await load.flush();
          expect(await nativeFiles()).toHaveLength(1);
          return load.commit([{ root: 't', disposition: 'merge' }], { signal: stopped.signal });
        },
      ),
    ).rejects.toThrow('stopped');
    expect(await nativeFiles()).toEqual([]);
    expect(await db.getTables('failed')).toEqual([]);
  });

  it('keeps the previous table when a staging file cannot be written (a full disk)', async () => {
    const db = dbs.native;
    const load = (records: Record<string, unknown>[], connect: () => Promise<DuckConnection>) => {
      const normalizer = new Normalizer({ table: 't', primaryKey: ['id'] });
      return withStagedLoad(connect, 'kept', 'test', async (staged) => {
        normalizer.add(records);
        for (const table of normalizer.tables.values()) staged.stage(table);
        return staged.commit([{ root: 't', disposition: 'replace' }]);
      });
    };
    await load([{ id: 'a', n: 1 }], () => db.connect());
    const full = async () => {
      const conn = await db.connect();
      const files = conn.stagingFiles!;
      return {
        ...conn,
        stagingFiles: { ...files, write: () => Promise.reject(new Error('ENOSPC: disk full')) },
      };
    };
    await expect(load([{ id: 'b', n: 2 }], full)).rejects.toThrow('ENOSPC');
    expect(await db.query('SELECT id, n FROM kept.t')).toEqual([{ id: 'a', n: 1 }]);
    expect(await nativeFiles()).toEqual([]);
    expect(await db.getTables('_dinobase_staging')).toEqual([]);
  });

  it('goes on in a staging table once the files reach their limit, and deletes them at once', async () => {
    const db = dbs.native;
    const normalizer = new Normalizer({ table: 't', primaryKey: ['id'] });
    const connect = async () => {
      const conn = await db.connect();
      return { ...conn, stagingFiles: { ...conn.stagingFiles!, limitBytes: 1 } };
    };
    await withStagedLoad(connect, 'limited', 'test', async (load) => {
      const stage = (page: Record<string, unknown>[]) => {
        normalizer.add(page);
        for (const table of normalizer.tables.values()) load.stage(table);
      };
      stage([{ id: 'a', n: 1 }]);
      await load.flush();
      expect(await nativeFiles()).toHaveLength(1);
      stage([{ id: 'b', n: 2.5, extra: 'x' }]);
      stage([{ id: 'c', n: 3 }]);
      await load.flush();
      expect(await nativeFiles()).toEqual([]);
      return load.commit([{ root: 't', disposition: 'merge' }]);
    });
    expect(await db.query('SELECT id, n, extra FROM limited.t ORDER BY id')).toEqual([
      { id: 'a', n: 1, extra: null },
      { id: 'b', n: 2.5, extra: 'x' },
      { id: 'c', n: 3, extra: null },
    ]);
    expect(await db.getTables('_dinobase_staging')).toEqual([]);
  });

  it('moves the files into a staging table when a batch has a type files do not take', async () => {
    const batch = (ids: string[], columns: [string, ColumnType][], values: unknown[][]): NormalizedTable => ({
      name: 't',
      parent: null,
      columns: new Map(columns),
      values: new Map(columns.map(([name], c) => [name, values[c]!])),
      length: ids.length,
    });
    const out = {} as Record<DriverName, Record<string, unknown>[]>;
    for (const driver of DRIVERS) {
      const schema = `switch_${driver}`;
      await withStagedLoad(
        () => dbs[driver].connect(),
        schema,
        'test',
        async (load) => {
          load.stage(
            batch(
              ['a'],
              [
                ['id', 'VARCHAR'],
                ['n', 'BIGINT'],
              ],
              [['a'], [1]],
            ),
          );
          load.stage(
            batch(
              ['b'],
              [
                ['id', 'VARCHAR'],
                ['n', 'DOUBLE'],
              ],
              [['b'], [2.5]],
            ),
          );
          const nested: [string, ColumnType][] = [
            ['id', 'VARCHAR'],
            ['n', 'DOUBLE'],
            ['grid', { list: { list: 'BIGINT' } }],
          ];
          load.stage(batch(['c'], nested, [['c'], [3], [[[1, 2], [3]]]]));
          load.stage(
            batch(['d'], [['id', 'VARCHAR'], ['n', 'VARCHAR'], ...nested.slice(2)], [['d'], ['x'], [null]]),
          );
          return load.commit([{ root: 't', disposition: 'append' }]);
        },
      );
      out[driver] = await dbs[driver].query(`SELECT * FROM ${schema}.t ORDER BY id`);
    }
    expect(out.native).toEqual(out.wasm);
    expect(out.native).toEqual([
      { id: 'a', n: '1.0', grid: null },
      { id: 'b', n: '2.5', grid: null },
      { id: 'c', n: '3.0', grid: [[1, 2], [3]] },
      { id: 'd', n: 'x', grid: null },
    ]);
    expect(await nativeFiles()).toEqual([]);
  });
});
