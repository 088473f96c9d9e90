import { mkdtempSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetManifest } from '../../proxy/contract.ts';
import { DirectoryTarget } from '../../proxy/datasets/dir-target.ts';
import type { DatasetTarget } from '../../proxy/datasets/target.ts';
import { DinobaseDB } from '../../worker/db.ts';
import { openNativeDuckDB } from '../../worker/duckdb/native.ts';
import type { DuckDatabase } from '../../worker/duckdb/types.ts';
import { ManualClock } from '../../worker/testing.ts';
import { Publisher } from './publisher.ts';

const clock = new ManualClock(Date.UTC(2026, 11, 4, 17, 30));
const home = mkdtempSync(join(tmpdir(), 'dinobase-publish-'));
const staging = join(home, 'staging');
const root = join(home, 'published');
let db: DinobaseDB;
/** A second DuckDB that may read the published directory: what any reader of the layout does. */
let reader: DuckDatabase;

async function readerRows<T>(sql: string): Promise<T[]> {
  const conn = await reader.connect();
  try {
    return (await conn.query(sql)).toArray().map((row) => ({ ...(row as object) }) as T);
  } finally {
    await conn.close();
  }
}

async function readerCount(glob: string): Promise<number> {
  const [row] = await readerRows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM read_parquet('${glob}')`);
  return row!.n;
}

async function manifestOf(): Promise<DatasetManifest> {
  return DatasetManifest.parse(JSON.parse(await readFile(join(root, 'shop', 'manifest.json'), 'utf8')));
}

beforeAll(async () => {
  db = new DinobaseDB(join(home, 'dinobase.duckdb'), {
    clock,
    open: (options) => openNativeDuckDB({ ...options, exportDir: staging }),
  });
  await db.addSource({ name: 'shop', type: 'stripe' });
  await db.run('CREATE SCHEMA shop');
  await db.run(
    `CREATE TABLE shop.customers AS SELECT 'cus_' || i AS id, 'user' || i || '@example.com' AS email,
       TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE AS created, i % 7 = 0 AS delinquent FROM range(5000) t(i)`,
  );
  await db.run(
    `CREATE TABLE shop.charges AS SELECT 'ch_' || i AS id, i * 100 AS amount FROM range(1234) t(i)`,
  );
  await db.run(`CREATE TABLE shop._dlt_loads AS SELECT 1 AS x`);
  reader = await openNativeDuckDB({ path: ':memory:', exportDir: root });
});
afterAll(async () => {
  await reader?.close();
  await db?.close();
});

describe('Publisher on native DuckDB to a local directory', () => {
  it('writes zstd Parquet per table, hashes and sizes it, and the manifest last', async () => {
    const publisher = new Publisher(db, { target: new DirectoryTarget(root), stagingDir: staging, keep: 2 });
    const manifest = await publisher.publish('shop', { syncId: '3f2a9c1b-1111-4000-8000-000000000000' });
    expect(manifest).toMatchObject({
      format: 'dinobase-dataset/1',
      source: 'shop',
      source_type: 'stripe',
      version: 'v20261204T173000Z-3f2a9c1b',
      rows: 6234,
      versions: ['v20261204T173000Z-3f2a9c1b'],
    });
    expect(manifest.tables.map((t) => [t.name, t.rows])).toEqual([
      ['charges', 1234],
      ['customers', 5000],
    ]);
    const customers = manifest.tables.find((t) => t.name === 'customers')!;
    expect(customers.columns).toEqual([
      { name: 'id', type: 'VARCHAR' },
      { name: 'email', type: 'VARCHAR' },
      { name: 'created', type: 'TIMESTAMP' },
      { name: 'delinquent', type: 'BOOLEAN' },
    ]);
    expect(await manifestOf()).toEqual(manifest);
    const file = customers.files[0]!;
    const bytes = await readFile(join(root, 'shop', file.path));
    expect(bytes.length).toBe(file.bytes);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    // The reader's glob over the manifest's version gives the source's counts.
    expect(await readerCount(`${root}/shop/customers/${manifest.version}/*.parquet`)).toBe(5000);
    const conn = await reader.connect();
    const codecs = await conn.query(
      `SELECT DISTINCT compression FROM parquet_metadata('${join(root, 'shop', file.path)}')`,
    );
    await conn.close();
    expect(codecs.toArray().map((r) => String((r as { compression: string }).compression))).toEqual(['ZSTD']);
    // Internal tables stay home, and the staging directory is emptied.
    expect(await readdir(join(root, 'shop'))).toEqual(['charges', 'customers', 'manifest.json']);
    expect(await readdir(staging)).toEqual([]);
  });

  it('keeps the last N versions and deletes older ones after the manifest', async () => {
    const publisher = new Publisher(db, { target: new DirectoryTarget(root), stagingDir: staging, keep: 2 });
    clock.advance(60_000);
    await db.run(`INSERT INTO shop.customers SELECT 'cus_new_' || i, NULL, NULL, false FROM range(10) t(i)`);
    const second = await publisher.publish('shop');
    expect(second.versions).toEqual([second.version, 'v20261204T173000Z-3f2a9c1b']);
    expect(await readerCount(`${root}/shop/customers/${second.version}/*.parquet`)).toBe(5010);
    // Old versions are still there for readers that hold the old manifest; they never double count.
    expect(await readerCount(`${root}/shop/customers/v20261204T173000Z-3f2a9c1b/*.parquet`)).toBe(5000);
    clock.advance(60_000);
    const third = await publisher.publish('shop');
    expect(third.versions).toEqual([third.version, second.version]);
    expect((await readdir(join(root, 'shop', 'customers'))).sort()).toEqual(
      [second.version, third.version].sort(),
    );
    expect((await readdir(join(root, 'shop', 'charges'))).sort()).toEqual(
      [second.version, third.version].sort(),
    );
  });

  it('a failed upload midway keeps the previous manifest and files, and the next publish cleans up', async () => {
    const real = new DirectoryTarget(root);
    // The real directory target, failing the upload of customers (a network error halfway through a publish).
    const failing: DatasetTarget = Object.assign(Object.create(real) as DatasetTarget, {
      putFile: async (key: string, local: string) => {
        if (key.includes('/customers/')) throw new Error('connection reset');
        return real.putFile(key, local);
      },
    });
    const before = await manifestOf();
    const files = async () => (await readdir(join(root, 'shop', 'customers'))).sort();
    const kept = await files();
    clock.advance(60_000);
    const publisher = new Publisher(db, { target: failing, stagingDir: staging, keep: 2 });
    await expect(publisher.publish('shop')).rejects.toMatchObject({
      name: 'SyncError',
      message: expect.stringMatching(
        /failed at customers\/v\w+-\w+\/part-00000\.parquet: connection reset.*previous version stays/,
      ),
    });
    expect(await manifestOf()).toEqual(before);
    expect(await readerCount(`${root}/shop/customers/${before.version}/*.parquet`)).toBe(5010);
    expect(await files()).toEqual(kept);
    expect(await readdir(staging)).toEqual([]);
    // The half-published version's files (charges went up) are not in any manifest: the next publish removes them.
    clock.advance(60_000);
    const next = await new Publisher(db, { target: real, stagingDir: staging, keep: 2 }).publish('shop');
    const charges = (await readdir(join(root, 'shop', 'charges'))).sort();
    expect(charges).toEqual([before.version, next.version].sort());
  });

  it('cuts a big table into files of about fileBytes, each with its rows, bytes and hash', async () => {
    await db.addSource({ name: 'big', type: 'stripe' });
    await db.run('CREATE SCHEMA big');
    await db.run(
      `CREATE TABLE big.events AS SELECT i AS id, md5(i::VARCHAR) AS body FROM range(300000) t(i)`,
    );
    await db.run(`CREATE TABLE big.empty (id INTEGER)`);
    // DuckDB starts a new file after a row group once the file is past the size: one byte cuts at every group.
    const publisher = new Publisher(db, {
      target: new DirectoryTarget(root),
      stagingDir: staging,
      fileBytes: 1,
    });
    const manifest = await publisher.publish('big');
    const [empty, events] = manifest.tables;
    expect(empty).toMatchObject({ name: 'empty', rows: 0, files: [{ rows: 0 }] });
    expect(events!.files.length).toBeGreaterThanOrEqual(2);
    expect(events!.files.map((f) => f.path)).toEqual(
      events!.files.map((_, i) => `events/${manifest.version}/part-0000${i}.parquet`),
    );
    const sum = (key: 'rows' | 'bytes') => events!.files.reduce((n, f) => n + f[key], 0);
    expect([events!.rows, sum('rows')]).toEqual([300000, 300000]);
    expect(events!.bytes).toBe(sum('bytes'));
    expect(manifest.bytes).toBe(events!.bytes + empty!.bytes);
    const { createHash } = await import('node:crypto');
    const locals = events!.files.map((f) => join(root, 'big', f.path));
    for (const [i, file] of events!.files.entries()) {
      const bytes = await readFile(locals[i]!);
      expect([bytes.length, createHash('sha256').update(bytes).digest('hex')]).toEqual([
        file.bytes,
        file.sha256,
      ]);
      const [own] = await readerRows<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM read_parquet('${locals[i]}')`,
      );
      expect(own!.n, file.path).toBe(file.rows);
      // DuckDB may leave a last file empty when its threads fill several at once: such files are left out.
      expect(file.rows, file.path).toBeGreaterThan(0);
    }
    const list = locals.map((l) => `'${l}'`).join(', ');
    // Every row once, though not in the table's order across files (see Publisher.#copy).
    const [all] = await readerRows<{ n: number; ids: number; lo: number; hi: number }>(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids, min(id)::INTEGER AS lo,
         max(id)::INTEGER AS hi FROM read_parquet([${list}])`,
    );
    expect(all).toEqual({ n: 300000, ids: 300000, lo: 0, hi: 299999 });
    expect(await readerCount(`${root}/big/events/${manifest.version}/*.parquet`)).toBe(300000);
    expect(await readdir(staging)).toEqual([]);
  });

  it('runs one publish per source at a time', async () => {
    const publisher = new Publisher(db, { target: new DirectoryTarget(root), stagingDir: staging, keep: 3 });
    clock.advance(60_000);
    const [a, b] = await Promise.all([publisher.publish('shop'), publisher.publish('shop')]);
    const final = await manifestOf();
    // The second saw the first's manifest: both versions are listed, newest first.
    expect(final.version).toBe(b.version);
    expect(final.versions.slice(0, 2)).toEqual([b.version, a.version]);
  });

  it('needs the staging directory in the lockdown: elsewhere DuckDB refuses to write', async () => {
    const other = new DinobaseDB(join(home, 'other.duckdb'), { clock, open: openNativeDuckDB });
    try {
      await other.addSource({ name: 'shop', type: 'stripe' });
      await other.run('CREATE SCHEMA shop');
      await other.run('CREATE TABLE shop.t AS SELECT 1 AS x');
      const publisher = new Publisher(other, { target: new DirectoryTarget(root), stagingDir: staging });
      await expect(publisher.publish('shop')).rejects.toMatchObject({ name: 'QueryError', code: 'refused' });
    } finally {
      await other.close();
    }
  });

  it('refuses a source that does not exist or a name outside the layout', async () => {
    const publisher = new Publisher(db, { target: new DirectoryTarget(root), stagingDir: staging });
    await expect(publisher.publish('nope')).rejects.toMatchObject({ name: 'ConfigError', code: 'not_found' });
    expect(() => publisher.publish('../x')).toThrow(/Cannot publish source '..\/x'/);
    const target = new DirectoryTarget(root);
    expect(() => new Publisher(db, { target, stagingDir: staging, fileBytes: 0 })).toThrow(
      /fileBytes must be a positive whole number of bytes, got 0/,
    );
  });
});
