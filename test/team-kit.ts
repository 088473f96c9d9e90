// Team data fixtures: datasets laid out per the publish contract, written by native DuckDB's COPY, and served.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { DirectoryTarget } from '../proxy/datasets/dir-target.ts';
import { mountDatasets } from '../proxy/datasets/routes.ts';
import type { DinobaseDB } from '../worker/db.ts';
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
