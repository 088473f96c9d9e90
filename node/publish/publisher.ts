// Publishes a synced source as Parquet plus manifest.json to a target (issue 15): files first, manifest last, then retention.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DatasetManifest } from '../../proxy/contract.ts';
import { readManifest } from '../../proxy/datasets/routes.ts';
import {
  DATASET_FORMAT,
  MANIFEST,
  isName,
  isVersion,
  partPath,
  versionName,
  type DatasetTarget,
} from '../../proxy/datasets/target.ts';
import type { Clock } from '../../worker/clock.ts';
import type { DinobaseDB } from '../../worker/db.ts';
import type { DuckConnection } from '../../worker/duckdb/types.ts';
import { ConfigError, SyncError, errorMessage } from '../../worker/errors.ts';
import { qualified, quoteLiteral } from '../../worker/sql.ts';

export interface PublisherOptions {
  target: DatasetTarget;
  /**
   * Where DuckDB writes the Parquet files before they are uploaded: the directory the database was opened
   * with as `exportDir` (the only place its SQL may write besides the database).
   */
  stagingDir: string;
  /** Versions kept per source, the new one included (DINOBASE_PUBLISH_KEEP). @default 3 */
  keep?: number;
  clock?: Clock;
  /** Told what went wrong after the new version was out (a failed clean-up of old versions). */
  warn?: (message: string) => void;
}

/** Rows per Parquet row group: DuckDB's own default, one range request's worth for a browser. */
export const ROW_GROUP_ROWS = 122_880;

/** Tables a sync keeps for itself (dlt's, ours): never published. */
const INTERNAL = /^_(dlt|dinobase)/;

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class Publisher {
  readonly target: DatasetTarget;
  readonly keep: number;
  #db: DinobaseDB;
  #staging: string;
  #clock: Clock;
  #warn: (message: string) => void;
  /** One publish per source at a time: the next waits for the one running. */
  #running = new Map<string, Promise<unknown>>();

  constructor(db: DinobaseDB, options: PublisherOptions) {
    const keep = options.keep ?? 3;
    if (!Number.isInteger(keep) || keep < 1)
      throw new ConfigError(
        'invalid_argument',
        `keep must be a positive whole number of versions, got ${keep}.`,
      );
    this.#db = db;
    this.target = options.target;
    this.keep = keep;
    this.#staging = resolve(options.stagingDir);
    this.#clock = options.clock ?? db.clock;
    this.#warn = options.warn ?? (() => undefined);
  }

  /** Publishes the source's current tables as a new version; resolves with the manifest written. */
  publish(source: string, options: { syncId?: string } = {}): Promise<DatasetManifest> {
    if (!isName(source))
      throw new ConfigError('invalid_argument', `Cannot publish source '${source.slice(0, 64)}'.`);
    const previous = this.#running.get(source) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => this.#publish(source, options.syncId ?? randomUUID()));
    const settled = run.catch(() => undefined);
    this.#running.set(source, settled);
    void settled.then(() => {
      if (this.#running.get(source) === settled) this.#running.delete(source);
    });
    return run;
  }

  async #publish(source: string, syncId: string): Promise<DatasetManifest> {
    const stored = await this.#db.getSource(source);
    if (!stored) throw new ConfigError('not_found', `No source '${source}' to publish.`);
    const started = new Date(this.#clock.now());
    const version = versionName(started, syncId);
    const staging = join(this.#staging, `${source}-${version}`);
    const conn = await (await this.#db.database()).connect();
    try {
      const synced = await this.#db.query(
        `SELECT strftime(MAX(finished_at), '%Y-%m-%dT%H:%M:%S.%g') AS t FROM _dinobase.sync_log
         WHERE connector_name = ? AND status = 'success'`,
        [source],
      );
      const syncedAt = synced[0]?.t ? `${String(synced[0].t)}Z` : started.toISOString();
      const tables = await this.#export(conn, source, version, staging);
      const manifest: DatasetManifest = {
        format: DATASET_FORMAT,
        source,
        source_type: stored.type,
        version,
        sync_id: syncId,
        synced_at: syncedAt,
        published_at: '',
        rows: tables.reduce((sum, t) => sum + t.rows, 0),
        bytes: tables.reduce((sum, t) => sum + t.bytes, 0),
        tables,
        versions: [],
      };
      const before = await readManifest(this.target, source);
      const kept = [version, ...(before?.versions ?? []).filter((v) => v !== version)].slice(0, this.keep);
      manifest.versions = kept;
      manifest.published_at = new Date(this.#clock.now()).toISOString();
      await this.target.putManifest(
        source,
        new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
      );
      // The new version is out once its manifest is: a failed clean-up is retried by the next publish.
      await this.#prune(source, kept).catch((error: unknown) =>
        this.#warn(
          `Removing old versions of ${source} failed (the next publish retries): ${errorMessage(error)}`,
        ),
      );
      return manifest;
    } finally {
      await conn.close();
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * Writes each table with DuckDB's own Parquet writer (zstd, row groups of ROW_GROUP_ROWS), all in one
   * transaction, so the tables are one snapshot even while a sync writes. Each file is hashed and uploaded
   * while DuckDB writes the next one; every upload has ended (the manifest is not written yet) when this returns.
   */
  async #export(conn: DuckConnection, source: string, version: string, staging: string) {
    const names = await conn.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = ${quoteLiteral(source)}
       AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const tables = names
      .toArray()
      .map((row) => String((row as { table_name: string }).table_name))
      .filter((name) => !INTERNAL.test(name) && isName(name));
    const out: DatasetManifest['tables'] = [];
    const uploads: Promise<void>[] = [];
    let failure: { error: unknown } | undefined;
    await conn.query('BEGIN TRANSACTION');
    try {
      for (const name of tables) {
        if (failure) break;
        const path = partPath(name, version, 0);
        const local = join(staging, path);
        await mkdir(join(local, '..'), { recursive: true });
        const described = await conn.query(`DESCRIBE ${qualified(source, name)}`);
        const columns = described.toArray().map((row) => {
          const r = row as { column_name: string; column_type: string };
          return { name: String(r.column_name), type: String(r.column_type) };
        });
        const copied = await conn.query(
          `COPY (SELECT * FROM ${qualified(source, name)}) TO ${quoteLiteral(local)}
           (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
        );
        const rows = Number((copied.toArray()[0] as { Count?: unknown } | undefined)?.Count ?? 0);
        const file = { path, rows, bytes: 0, sha256: '' };
        out.push({ name, rows, bytes: 0, columns, files: [file] });
        const table = out[out.length - 1]!;
        const task = (async () => {
          [file.bytes, file.sha256] = await Promise.all([stat(local).then((s) => s.size), sha256Of(local)]);
          table.bytes = file.bytes;
          await this.#upload(source, file.path, local);
        })();
        // Awaited below; an early failure stops the export at the next table instead of going unhandled.
        task.catch((error: unknown) => (failure ??= { error }));
        uploads.push(task);
      }
    } catch (error) {
      failure ??= { error };
    }
    await conn.query('COMMIT').catch(() => undefined);
    // Nothing is left running on the staging directory, whatever failed, before the failure is reported.
    await Promise.allSettled(uploads);
    if (failure) throw failure.error;
    return out;
  }

  /** Every data file is up before the manifest names it: a reader sees the old version or the new one. */
  async #upload(source: string, path: string, local: string): Promise<void> {
    try {
      await this.target.putFile(`${source}/${path}`, local);
    } catch (error) {
      throw new SyncError(
        'sync_failed',
        `Publishing ${source} to ${this.target.location} failed at ${path}: ${errorMessage(error)}. ` +
          'The previous version stays published.',
        { cause: error },
      );
    }
  }

  /** Deletes every version directory of the source not in `kept`, a failed publish's leftovers included. */
  async #prune(source: string, kept: string[]): Promise<void> {
    for (const table of await this.target.children(source)) {
      if (table === MANIFEST || !isName(table)) continue;
      for (const version of await this.target.children(`${source}/${table}`)) {
        if (isVersion(version) && !kept.includes(version))
          await this.target.deletePrefix(`${source}/${table}/${version}`);
      }
    }
  }
}
