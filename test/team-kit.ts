// Team data fixtures: datasets laid out per the publish contract (by native DuckDB's COPY, or by a real server that syncs and publishes), and served.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { Publisher, type PublisherOptions } from '../node/publish/publisher.ts';
import { DirectoryTarget } from '../proxy/datasets/dir-target.ts';
import { mountDatasets } from '../proxy/datasets/routes.ts';
import type { DatasetTarget } from '../proxy/datasets/target.ts';
import { createSandboxes, type Sandboxes } from '../proxy/sandbox/index.ts';
import { startServer, type RunningServer } from '../proxy/server.ts';
import type { Clock } from '../worker/clock.ts';
import { DinobaseDB } from '../worker/db.ts';
import { openNativeDuckDB } from '../worker/duckdb/native.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { relayTransport } from '../worker/sync/transport.ts';
import { memoryDB } from '../worker/testing.ts';
import type { Manifest } from '../worker/team/manifest.ts';
import { serveRecording, type Upstream } from './probe-kit.ts';

export interface FixtureTable {
  name: string;
  /** A SELECT whose rows become the table. */
  sql: string;
}

let writer: Promise<DinobaseDB> | null = null;

/** A native DuckDB for fixtures that need no data of their own. */
function fixtureWriter(): Promise<DinobaseDB> {
  writer ??= (async () => {
    const db = memoryDB(undefined, 'native');
    await db.database();
    return db;
  })();
  return writer;
}

/** `sql`'s rows as Parquet, by native DuckDB's COPY into its private file directory (the only place its lockdown lets it write). */
async function parquetOf(db: DinobaseDB, sql: string): Promise<Uint8Array> {
  const seed = await (await db.database()).registerFile('team-seed.bin', new Uint8Array([0]));
  const out = join(dirname(seed), `part-${process.hrtime.bigint()}.parquet`);
  await db.query(`COPY (${sql}) TO '${out}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`);
  const bytes = new Uint8Array(await readFile(out));
  await rm(out);
  return bytes;
}

/** Publishes one version of `source` under `root` as the publisher would: data files first, the manifest last. */
export async function publishFixture(
  root: string,
  options: {
    source: string;
    source_type?: string;
    version: string;
    tables: FixtureTable[];
    /** A native database whose tables the SQL reads (a server that synced); default: an empty one. */
    from?: DinobaseDB;
  },
): Promise<Manifest> {
  const db = options.from ?? (await fixtureWriter());
  const tables: Manifest['tables'] = [];
  for (const table of options.tables) {
    const bytes = await parquetOf(db, table.sql);
    const path = `${table.name}/${options.version}/part-00000.parquet`;
    await mkdir(join(root, options.source, dirname(path)), { recursive: true });
    await writeFile(join(root, options.source, path), bytes);
    const rows = Number((await db.query(`SELECT count(*) AS n FROM (${table.sql})`))[0]!.n);
    const columns = (await db.query(`DESCRIBE ${table.sql}`)).map((r) => ({
      name: String(r.column_name),
      type: String(r.column_type),
    }));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    tables.push({
      name: table.name,
      rows,
      bytes: bytes.byteLength,
      columns,
      files: [{ path, rows, bytes: bytes.byteLength, sha256 }],
    });
  }
  const at = new Date(Date.UTC(2026, 11, 4, 17, 30)).toISOString();
  const manifest: Manifest = {
    format: 'dinobase-dataset/1',
    source: options.source,
    source_type: options.source_type ?? 'stripe',
    version: options.version,
    sync_id: `${options.version.slice(-8)}-0000-0000-0000-000000000000`,
    synced_at: at,
    published_at: at,
    rows: tables.reduce((n, t) => n + t.rows, 0),
    bytes: tables.reduce((n, t) => n + t.bytes, 0),
    tables,
    versions: [options.version],
  };
  await writeFile(join(root, options.source, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}

export async function closeFixtureWriter(): Promise<void> {
  const db = await writer;
  writer = null;
  await db?.close();
}

/** Serves `root` through the proxy's own `/api/datasets*` routes, recording every request (`seen`). */
export function serveDatasets(root: string): Promise<Upstream> {
  const app = new Hono();
  mountDatasets(app, new DirectoryTarget(root));
  return serveRecording(app);
}

export interface TeamServer {
  /** The real proxy on loopback, serving the sandboxes, the relay and `/api/datasets` from `root`. */
  server: RunningServer;
  sandboxes: Sandboxes;
  /** The server side's headless engine on a native DuckDB file. */
  db: DinobaseDB;
  /** The directory target's folder: `<root>/<source>/manifest.json` and the Parquet files. */
  root: string;
  /** Syncs `stripe.customers` from the sandbox through the relay, then publishes it (`dinobase serve --sync`'s loop). */
  syncAndPublish(): Promise<void>;
  /** A publisher of `db` to the same target, with other options (`fileBytes`). */
  publisher(options?: Pick<PublisherOptions, 'fileBytes' | 'keep'>): Publisher;
  close(): Promise<void>;
}

/**
 * A server that syncs the Stripe sandbox's customers and publishes them to a directory target, once before this
 * returns. `token` is what the server side sends to its own relay (it holds the vendor keys).
 */
export async function startTeamServer(options: {
  clock: Clock;
  token?: string;
  readToken?: string;
  /** Wraps the directory target, e.g. to count what the proxy serves. */
  target?: (target: DatasetTarget) => DatasetTarget;
}): Promise<TeamServer> {
  const home = mkdtempSync(join(tmpdir(), 'dinobase-team-server-'));
  const previousHome = process.env.DINOBASE_HOME;
  process.env.DINOBASE_HOME = home;
  const { clock, token, readToken } = options;
  const root = join(home, 'published');
  const sandboxes = createSandboxes({ now: () => clock.now() });
  const directory = new DirectoryTarget(root);
  const target = options.target?.(directory) ?? directory;
  const server = await startServer({ port: 0, sandboxes, token, readToken, datasets: target });
  const staging = join(home, 'staging');
  const db = new DinobaseDB(join(home, 'server.duckdb'), {
    clock,
    open: (o) => openNativeDuckDB({ ...o, exportDir: staging }),
  });
  const relayFetch: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    return globalThis.fetch(input, { ...init, headers });
  };
  const syncs = new SyncEngine(db, {
    clock,
    transport: relayTransport({ origin: server.url, fetch: relayFetch }),
  });
  const publisherWith = (more: Pick<PublisherOptions, 'fileBytes' | 'keep'> = {}) =>
    new Publisher(db, { target, stagingDir: staging, clock, ...more });
  const publisher = publisherWith();
  await db.addSource({ name: 'stripe', type: 'stripe', resources: ['customers'] });
  const syncAndPublish = async () => {
    const synced = await syncs.sync('stripe', { type: 'stripe', resources: ['customers'] });
    if (synced.error !== null) throw new Error(`The server's sync failed: ${synced.error}`);
    await publisher.publish('stripe');
  };
  await syncAndPublish();
  return {
    server,
    sandboxes,
    db,
    root,
    syncAndPublish,
    publisher: publisherWith,
    async close() {
      await server.close();
      await db.close();
      if (previousHome === undefined) delete process.env.DINOBASE_HOME;
      else process.env.DINOBASE_HOME = previousHome;
      rmSync(home, { recursive: true, force: true });
    },
  };
}
