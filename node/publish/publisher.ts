// Publishes a synced source as Parquet plus manifest.json to a target (issue 15): files first, manifest last, then retention.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { forEachLimit } from '../../common/pool.ts';
import type { DatasetManifest } from '../../proxy/contract.ts';
import { DEFAULT_FILE_MB } from '../../proxy/datasets/config.ts';
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
import { GrowingFiles } from './growing-files.ts';

export interface PublisherOptions {
  target: DatasetTarget;
  /**
   * Where DuckDB writes the Parquet files before they are uploaded: the directory the database was opened
   * with as `exportDir` (the only place its SQL may write besides the database).
   */
  stagingDir: string;
  /** Versions kept per source, the new one included (DINOBASE_PUBLISH_KEEP). @default 3 */
  keep?: number;
  /**
   * Where a table's Parquet is cut into the next file (DINOBASE_PUBLISH_FILE_MB): DuckDB checks it after each
   * row group, so a file may pass it by up to one row group. @default 512 MiB
   */
  fileBytes?: number;
  clock?: Clock;
  /** Told what went wrong after the new version was out (a failed clean-up of old versions). */
  warn?: (message: string) => void;
}

/** Rows per Parquet row group: DuckDB's own default, one range request's worth for a browser. */
export const ROW_GROUP_ROWS = 122_880;

/** Tables a sync keeps for itself (dlt's, ours): never published. */
const INTERNAL = /^_(dlt|dinobase)/;

/** A table's files uploaded at once. */
const FILES_IN_FLIGHT = 2;

/** DuckDB names the files of a directory COPY `data_<n>.parquet`, numbered in the order it opened them. */
const fileIndex = (path: string) => Number(/_(\d+)\.parquet$/.exec(basename(path))?.[1] ?? NaN);

export class Publisher {
  readonly target: DatasetTarget;
  readonly keep: number;
  readonly fileBytes: number;
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
    const fileBytes = options.fileBytes ?? DEFAULT_FILE_MB * 2 ** 20;
    if (!Number.isInteger(fileBytes) || fileBytes < 1)
      throw new ConfigError(
        'invalid_argument',
        `fileBytes must be a positive whole number of bytes, got ${fileBytes}.`,
      );
    this.#db = db;
    this.target = options.target;
    this.keep = keep;
    this.fileBytes = fileBytes;
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
    // Neither depends on the export: both run while DuckDB writes, instead of adding to the publish's time.
    const lastSync = this.#db.query(
      `SELECT strftime(MAX(finished_at), '%Y-%m-%dT%H:%M:%S.%g') AS t FROM _dinobase.sync_log
       WHERE connector_name = ? AND status = 'success'`,
      [source],
    );
    const previous = readManifest(this.target, source);
    // Awaited below, or dropped when the export fails first: never an unhandled rejection.
    for (const pending of [lastSync, previous]) pending.catch(() => undefined);
    const conn = await (await this.#db.database()).connect();
    try {
      const tables = await this.#export(conn, source, version, staging);
      const synced = await lastSync;
      const syncedAt = synced[0]?.t ? `${String(synced[0].t)}Z` : started.toISOString();
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
      const before = await previous;
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
   * Writes each table with DuckDB's own Parquet writer (zstd, row groups of ROW_GROUP_ROWS, a new file every
   * `fileBytes`), all in one transaction, so the tables are one snapshot even while a sync writes. A table's
   * files are hashed while DuckDB writes them and uploaded while it writes the next table; every upload has
   * ended (the manifest is not written yet) when this returns.
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
    await mkdir(staging, { recursive: true });
    await conn.query('BEGIN TRANSACTION');
    try {
      for (const name of tables) {
        if (failure) break;
        const described = await conn.query(`DESCRIBE ${qualified(source, name)}`);
        const columns = described.toArray().map((row) => {
          const r = row as { column_name: string; column_type: string };
          return { name: String(r.column_name), type: String(r.column_type) };
        });
        const directory = join(staging, name);
        // Hashed while DuckDB writes them: the sha256s are there when the COPY ends, the files read once.
        const growing = new GrowingFiles(directory);
        const written = await this.#copy(conn, source, name, directory).catch(async (error: unknown) => {
          await growing.close();
          throw error;
        });
        const digests = await growing.finish();
        const files = await Promise.all(
          written.map(async ({ local, rows }, index) => {
            const digest = digests.get(local);
            // The hash was taken while the file grew: it counts only if it covered the finished file's every byte.
            const { size } = await stat(local);
            if (digest?.size !== size)
              throw new SyncError(
                'sync_failed',
                `DuckDB's file ${local} of ${source}.${name} was hashed over ${digest?.size ?? 0} of its ${size} bytes.`,
              );
            return { path: partPath(name, version, index), rows, bytes: size, sha256: digest.sha256 };
          }),
        );
        const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
        out.push({ name, rows: files.reduce((sum, f) => sum + f.rows, 0), bytes, columns, files });
        const task = forEachLimit(files, FILES_IN_FLIGHT, (file, index) =>
          this.#upload(source, file.path, written[index]!.local),
        );
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

  /**
   * One table to a directory of Parquet files, listed in the order DuckDB opened them, each with its row count:
   * the COPY's own count for one file, else each file's footer. FILE_SIZE_BYTES makes DuckDB use its parallel
   * COPY_TO_FILE (not the ordered BATCH_COPY_TO_FILE): rows come out in no particular order, threads fill files
   * side by side, and a file opened last may stay empty. Empty files are left out (one is kept for an empty
   * table, so it still has a schema).
   */
  async #copy(
    conn: DuckConnection,
    source: string,
    table: string,
    directory: string,
  ): Promise<{ local: string; rows: number }[]> {
    const copied = await conn.query(
      `COPY (SELECT * FROM ${qualified(source, table)}) TO ${quoteLiteral(directory)}
       (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, FILE_SIZE_BYTES ${this.fileBytes},
        RETURN_FILES true)`,
    );
    const result = copied.toArray()[0] as { Count?: unknown; Files?: Iterable<unknown> } | undefined;
    const count = Number(result?.Count ?? 0);
    const locals = Array.from(result?.Files ?? [], String).sort((a, b) => fileIndex(a) - fileIndex(b));
    if (locals.length === 0 || locals.some((path) => Number.isNaN(fileIndex(path))))
      throw new SyncError(
        'sync_failed',
        `DuckDB wrote ${source}.${table} to unexpected files: [${locals.join(', ')}].`,
      );
    if (locals.length === 1) return [{ local: locals[0]!, rows: count }];
    const footers = await conn.query(
      `SELECT file_name, num_rows FROM parquet_file_metadata([${locals.map(quoteLiteral).join(', ')}])`,
    );
    const rowsOf = new Map(
      footers.toArray().map((row) => {
        const r = row as { file_name: string; num_rows: unknown };
        return [String(r.file_name), Number(r.num_rows)] as const;
      }),
    );
    const files = locals.map((local) => ({ local, rows: rowsOf.get(local) ?? NaN }));
    const total = files.reduce((sum, f) => sum + f.rows, 0);
    if (total !== count)
      throw new SyncError(
        'sync_failed',
        `The files of ${source}.${table} hold ${total} rows by their footers; DuckDB wrote ${count}.`,
      );
    const filled = files.filter((f) => f.rows > 0);
    return filled.length > 0 ? filled : files.slice(0, 1);
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
