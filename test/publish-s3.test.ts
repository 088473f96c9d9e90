// Sync a sandbox source on native DuckDB, publish it to a real S3 API (s3rver), and read it back as any engine would.
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Publisher } from '../node/publish/publisher.ts';
import { DatasetManifest } from '../proxy/contract.ts';
import type { S3Target } from '../proxy/datasets/s3-target.ts';
import type { DatasetTarget } from '../proxy/datasets/target.ts';
import { readManifest } from '../proxy/datasets/routes.ts';
import { startServer } from '../proxy/server.ts';
import type { Sandboxes } from '../proxy/sandbox/index.ts';
import { serveSandboxes } from '../proxy/sandbox/test-server.ts';
import { DinobaseDB } from '../worker/db.ts';
import { openWith } from '../worker/duckdb/node.ts';
import type { DuckDatabase } from '../worker/duckdb/types.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { ManualClock } from '../worker/testing.ts';
import { startS3, type S3Kit } from './s3-kit.ts';

const clock = new ManualClock(Date.UTC(2026, 11, 4, 17, 30));
const home = mkdtempSync(join(tmpdir(), 'dinobase-publish-s3-'));
const staging = join(home, 'staging');
const downloads = join(home, 'downloads');
const native = openWith('native');
let s3: S3Kit;
let target: S3Target;
let sandboxes: Sandboxes;
let closeSandboxes: () => Promise<void>;
let db: DinobaseDB;
let reader: DuckDatabase;
let publisher: Publisher;

async function syncStripe(base: string) {
  const engine = new SyncEngine(db, { clock, retry: { baseDelayMs: 10 } });
  const result = await engine.sync('stripe', {
    type: 'stripe',
    base_url: `${base}/stripe/`,
    credentials: sandboxes.credentials.stripe,
  });
  expect(result).toMatchObject({ status: 'success' });
}

/** Downloads a version's files of one table from S3 as a reader without Dinobase would, and counts them in DuckDB. */
async function downloadedCount(manifest: DatasetManifest, table: string, from = target): Promise<number> {
  const files = manifest.tables.find((t) => t.name === table)!.files;
  const paths: string[] = [];
  for (const file of files) {
    const object = await from.get(`stripe/${file.path}`);
    const bytes = new Uint8Array(await new Response(object!.body).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex'), file.path).toBe(file.sha256);
    const local = join(downloads, manifest.version, file.path.replaceAll('/', '_'));
    await mkdir(join(local, '..'), { recursive: true });
    await writeFile(local, bytes);
    paths.push(`'${local}'`);
  }
  const conn = await reader.connect();
  try {
    const result = await conn.query(`SELECT count(*)::INTEGER AS n FROM read_parquet([${paths.join(', ')}])`);
    return (result.toArray()[0] as { n: number }).n;
  } finally {
    await conn.close();
  }
}

beforeAll(async () => {
  s3 = await startS3();
  target = s3.target('dinobase/prod');
  const served = await serveSandboxes({ now: () => clock.now() });
  sandboxes = served.sandboxes;
  closeSandboxes = served.close;
  db = new DinobaseDB(join(home, 'dinobase.duckdb'), {
    clock,
    open: (options) => native({ ...options, exportDir: staging }),
  });
  await db.addSource({ name: 'stripe', type: 'stripe', base_url: `${served.base}/stripe/` });
  await syncStripe(served.base);
  reader = await native({ path: ':memory:', exportDir: downloads });
  publisher = new Publisher(db, { target, stagingDir: staging, keep: 2 });
});
afterAll(async () => {
  await reader?.close();
  await db?.close();
  await closeSandboxes?.();
  await s3?.close();
});

describe('publish a synced source to S3 (s3rver)', () => {
  let first: DatasetManifest;

  it('publishes every table with a manifest whose files read back to the source counts', async () => {
    first = await publisher.publish('stripe');
    const stored = await readManifest(target, 'stripe');
    expect(stored).toEqual(first);
    expect(await target.children('')).toEqual(['stripe']);
    const tables = await db.getTables('stripe');
    const published = tables.filter((t) => !t.startsWith('_dlt'));
    expect(first.tables.map((t) => t.name)).toEqual([...published].sort());
    expect(first.tables.length).toBeGreaterThan(5);
    for (const table of first.tables) {
      const rows = await db.getRowCount('stripe', table.name);
      expect(table.rows, table.name).toBe(rows);
      expect(await downloadedCount(first, table.name), table.name).toBe(rows);
      const head = await target.head(`stripe/${table.files[0]!.path}`);
      expect(head?.size).toBe(table.files[0]!.bytes);
    }
    expect(first.rows).toBe(first.tables.reduce((n, t) => n + t.rows, 0));
    expect(await db.getRowCount('stripe', 'customers')).toBe(180);
  });

  it('a second publish keeps both versions; a third drops the oldest (keep 2)', async () => {
    clock.advance(60_000);
    const second = await publisher.publish('stripe');
    expect(second.versions).toEqual([second.version, first.version]);
    expect(await target.children('stripe/customers')).toEqual([first.version, second.version].sort());
    clock.advance(60_000);
    const third = await publisher.publish('stripe');
    expect(third.versions).toEqual([third.version, second.version]);
    for (const table of third.tables)
      expect(await target.children(`stripe/${table.name}`), table.name).toEqual(
        [second.version, third.version].sort(),
      );
    expect(await downloadedCount(third, 'customers')).toBe(180);
  });

  it('a failed upload midway keeps the previous manifest and its files', async () => {
    const before = (await readManifest(target, 'stripe'))!;
    // The real S3 target; the upload of customers fails as a dropped connection would, the others go up.
    const failing: DatasetTarget = Object.assign(Object.create(target) as DatasetTarget, {
      putFile: async (key: string, local: string) => {
        if (key.includes('/customers/')) throw new Error('socket hang up');
        return target.putFile(key, local);
      },
    });
    clock.advance(60_000);
    const broken = new Publisher(db, { target: failing, stagingDir: staging, keep: 2 });
    await expect(broken.publish('stripe')).rejects.toThrow(
      /socket hang up.*previous version stays published/,
    );
    expect(await readManifest(target, 'stripe')).toEqual(before);
    expect(await downloadedCount(before, 'customers')).toBe(180);
    for (const table of before.tables)
      for (const file of table.files)
        expect(await target.head(`stripe/${file.path}`), file.path).not.toBeNull();
  });

  it('with every file sent as a multipart upload, the same files and counts come back', async () => {
    // A threshold of 0 bytes sends even these small files in parts (one each: the last part may be under 5 MiB).
    const parts = s3.target('dinobase/parts', { multipartBytes: 0 });
    const manifest = await new Publisher(db, { target: parts, stagingDir: staging }).publish('stripe');
    for (const table of manifest.tables)
      expect(await downloadedCount(manifest, table.name, parts), table.name).toBe(table.rows);
    expect(manifest.tables.find((t) => t.name === 'customers')!.rows).toBe(180);
  });

  it('the proxy serves the S3 dataset: list, manifest, ranges of a file', async () => {
    const server = await startServer({
      port: 0,
      sandbox: false,
      distDir: home,
      home: mkdtempSync(join(tmpdir(), 'dinobase-home-')),
      datasets: target,
    });
    try {
      const list = (await (await fetch(`${server.url}/api/datasets`)).json()) as {
        datasets: { source: string }[];
      };
      expect(list.datasets.map((d) => d.source)).toEqual(['stripe']);
      const res = await fetch(`${server.url}/api/datasets/stripe/manifest.json`);
      const manifest = DatasetManifest.parse(await res.json());
      expect(res.headers.get('etag')).toBe(`"${manifest.version}"`);
      const file = manifest.tables.find((t) => t.name === 'customers')!.files[0]!;
      const url = `${server.url}/api/datasets/stripe/${file.path}`;
      const whole = await fetch(url);
      expect(whole.headers.get('etag')).toBe(`"${file.sha256}"`);
      const bytes = Buffer.from(await whole.arrayBuffer());
      expect(bytes.length).toBe(file.bytes);
      // A Parquet file ends with its footer length and PAR1: what a reader's first range request fetches.
      const tail = await fetch(url, { headers: { range: 'bytes=-8' } });
      expect(tail.status).toBe(206);
      expect(tail.headers.get('content-range')).toBe(
        `bytes ${file.bytes - 8}-${file.bytes - 1}/${file.bytes}`,
      );
      const last = Buffer.from(await tail.arrayBuffer());
      expect(last).toEqual(bytes.subarray(file.bytes - 8));
      expect(last.subarray(4).toString()).toBe('PAR1');
      expect((await fetch(url, { headers: { range: `bytes=${file.bytes}-` } })).status).toBe(416);
      expect((await fetch(url, { headers: { 'if-none-match': `"${file.sha256}"` } })).status).toBe(304);
    } finally {
      await server.close();
    }
  });
});
