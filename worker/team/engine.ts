// TeamEngine: lists the datasets the proxy publishes and pulls a working set of them into this database, atomically.
import { tableFromIPC, type Table } from 'apache-arrow';
import { systemClock, toSqlTimestamp, type Clock } from '../clock.ts';
import type { DinobaseDB } from '../db.ts';
import { ConfigError, DinobaseError, SyncError, errorMessage } from '../errors.ts';
import { withStagedLoad, type StagedLoad } from '../ingest/load.ts';
import { validateSource, type StoredSource } from '../meta/sources.ts';
import type { LoadParquetWasm, OpenSpool, ParquetWasm } from '../parquet/types.ts';
import { qualified, quoteIdent } from '../sql.ts';
import type { SyncOptions, SyncResult } from '../sync/engine.ts';
import { emptyResult, logFailure, logSuccess } from '../sync/run-log.ts';
import {
  contentHash,
  parseDatasetList,
  parseManifest,
  type DatasetSummary,
  type Manifest,
  type ManifestTable,
} from './manifest.ts';
import { downloadVerified } from './download.ts';
import {
  markTeam,
  recordPull,
  teamSources,
  teamTables,
  touchPull,
  unmarkTeam,
  type TeamTableRecord,
} from './store.ts';

export interface TeamEngineOptions {
  /** The proxy serving `/api/datasets` (the app's own origin in the browser); null: no team data here. */
  origin?: string | null;
  fetch?: typeof fetch;
  clock?: Clock;
  /** parquet-wasm; default: the platform's build (package.json `#parquet`), loaded on the first pull. */
  parquet?: LoadParquetWasm;
  /** Where a file waits between download and decode; default: the platform's (package.json `#parquet`). */
  spool?: OpenSpool;
}

/** A published dataset as the Team data page lists it, with what this database holds of it. */
export interface TeamDataset extends DatasetSummary {
  /** The working set pulled here: null when the source is not pulled; `tables: null` = every table. */
  pulled: {
    version: string | null;
    pulled_at: string | null;
    tables: string[] | null;
    sync_interval: string | null;
  } | null;
}

export interface TeamSelection {
  source: string;
  /** Single tables; null or absent = the whole source, tables published later included. */
  tables?: string[] | null;
  /** How often it refreshes on its own while the app is open ("15m"); null = only on demand. */
  interval?: string | null;
}

/** Column types a table with no file is created with: DuckDB type names only, never SQL. */
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ (),[\]]*$/;

export class TeamEngine {
  #db: DinobaseDB;
  #origin: string | null;
  #fetch: typeof fetch;
  #clock: Clock;
  #parquet: () => Promise<ParquetWasm>;
  #spool: OpenSpool;
  #running = new Set<string>();

  constructor(db: DinobaseDB, options: TeamEngineOptions = {}) {
    this.#db = db;
    this.#origin = options.origin ?? null;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#clock = options.clock ?? db.clock ?? systemClock;
    this.#parquet = options.parquet ?? (async () => (await import('#parquet')).loadParquetWasm());
    this.#spool = options.spool ?? (async () => (await import('#parquet')).openSpool());
  }

  async isTeam(name: string): Promise<boolean> {
    return (await teamSources(this.#db)).has(name);
  }

  async listDatasets(options: { signal?: AbortSignal } = {}): Promise<TeamDataset[]> {
    const response = await this.#get('/api/datasets', { signal: options.signal });
    const datasets = parseDatasetList(await response.json());
    const [team, sources] = await Promise.all([teamSources(this.#db), this.#db.getSources()]);
    return datasets.map((d) => {
      const stored = team.get(d.source);
      const source = sources.find((s) => s.name === d.source);
      return {
        ...d,
        pulled: stored
          ? {
              version: stored.version,
              pulled_at: stored.pulled_at,
              tables: source?.resources ?? null,
              sync_interval: source?.sync_interval ?? null,
            }
          : null,
      };
    });
  }

  /**
   * Registers the working set of one published source: a source of the publisher's type (so write-backs find
   * its connector) marked as team data. Refused for a source this database syncs from the vendor itself; a
   * source of the same type that holds no table yet is taken over (the UI registers every source the server
   * holds credentials for, and a server that publishes a source holds its credentials).
   */
  async register(selection: TeamSelection, sourceType: string): Promise<StoredSource> {
    const existing = await this.#db.getSource(selection.source);
    const team = await this.isTeam(selection.source);
    const unsynced =
      existing?.type === sourceType && (await this.#db.getTables(selection.source)).length === 0;
    if (existing && !team && !unsynced) {
      throw new ConfigError(
        'would_replace',
        `Source '${selection.source}' is synced here from ${existing.type}: remove it before pulling the team's copy.`,
      );
    }
    const tables = selection.tables?.length ? [...new Set(selection.tables)].sort() : null;
    const changed = (existing?.resources?.join(',') ?? null) !== (tables?.join(',') ?? null);
    const config = {
      name: selection.source,
      type: sourceType,
      resources: tables,
      sync_interval: selection.interval ?? null,
      freshness_threshold: existing?.freshness_threshold ?? null,
    };
    validateSource(config);
    // Marked first: the scheduler must never see the source registered but not yet team data, or it syncs it
    // from the vendor (through the relay) instead of pulling it.
    await markTeam(this.#db, selection.source, sourceType, changed);
    try {
      return await this.#db.addSource(config);
    } catch (error) {
      if (!team) await unmarkTeam(this.#db, selection.source);
      throw error;
    }
  }

  /**
   * Registers each selection (its type from the published list) and returns the names to pull: the caller
   * pulls them through the SyncRunner, so pulls share its cancel, events, history and schedule.
   */
  async select(selections: TeamSelection[]): Promise<string[]> {
    const published = await this.listDatasets();
    for (const selection of selections) {
      const dataset = published.find((d) => d.source === selection.source);
      if (!dataset) {
        throw new ConfigError(
          'not_found',
          `No published dataset '${selection.source}' (published: ${published.map((d) => d.source).join(', ') || 'none'}).`,
        );
      }
      await this.register(selection, dataset.source_type);
    }
    return selections.map((s) => s.source);
  }

  /** Pulls the source's working set; a result, never a throw (the runner's shape). */
  async pull(name: string, tables: string[] | null, options: SyncOptions = {}): Promise<SyncResult> {
    const started = this.#clock.now();
    const stored = (await teamSources(this.#db)).get(name);
    const result = emptyResult(name, stored?.source_type ?? 'unknown');
    const { signal } = options;
    if (this.#running.has(name))
      return { ...result, status: 'skipped', error: `'${name}' is already pulling.` };
    this.#running.add(name);
    let logId: number | null = null;
    try {
      if (!stored) throw new ConfigError('not_found', `Source '${name}' is not team data.`);
      logId = await this.#db.logSyncStart(name, stored.source_type);
      const path = `/api/datasets/${encodeURIComponent(name)}/manifest.json`;
      const headers: Record<string, string> = stored.version
        ? { 'If-None-Match': `"${stored.version}"` }
        : {};
      const response = await this.#get(path, { signal, headers, notModified: true });
      if (response.status === 304) {
        await touchPull(this.#db, name);
      } else {
        const manifest = parseManifest(await response.json(), name);
        const done = await this.#apply(name, manifest, tables, options);
        result.tables_synced = done.length;
        result.rows_synced = result.rows_written = done.reduce((n, t) => n + t.rows, 0);
        result.resources = done.map((t) => ({ name: t.name, pages: t.pages, rows: t.rows }));
      }
      await logSuccess(this.#db, logId, result, options.onProgress);
    } catch (error) {
      result.error = signal?.aborted
        ? `Pull of ${name} cancelled. Previous data is unchanged.`
        : error instanceof DinobaseError
          ? `Pull of ${name} failed: ${error.message} Previous data is unchanged.`
          : `Pull of ${name} failed: ${errorMessage(error)}. Previous data is unchanged.`;
      if (signal?.aborted) result.status = 'cancelled';
      await logFailure(this.#db, logId, result);
    } finally {
      this.#running.delete(name);
      result.elapsed_ms = Math.round(this.#clock.now() - started);
    }
    return result;
  }

  /** Downloads the tables whose content changed, stages them, and swaps them in with the record of the pull. */
  async #apply(
    name: string,
    manifest: Manifest,
    wanted: string[] | null,
    options: SyncOptions,
  ): Promise<{ name: string; rows: number; pages: number }[]> {
    const missing = (wanted ?? []).filter((t) => !manifest.tables.some((m) => m.name === t));
    if (missing.length > 0) {
      throw new SyncError(
        'not_found',
        `'${name}' publishes no table ${missing.map((t) => `'${t}'`).join(', ')} (it has ${manifest.tables.map((t) => t.name).join(', ') || 'none'}).`,
      );
    }
    const tables = manifest.tables.filter((t) => wanted === null || wanted.includes(t.name));
    const pulled = await teamTables(this.#db, name);
    // The content hash decides: a table published again unchanged is not downloaded again.
    const changed = tables.filter((t) => pulled.get(t.name)?.sha256 !== contentHash(t));
    const dropped = [...pulled.keys()].filter((t) => !tables.some((m) => m.name === t));
    const done: { name: string; rows: number; pages: number }[] = [];
    const published = toSqlTimestamp(Date.parse(manifest.published_at));
    await withStagedLoad(
      () => this.#db.connect(),
      name,
      `team${Math.round(this.#clock.now())}`,
      async (load) => {
        for (const table of changed) done.push(await this.#stageTable(name, table, load, options));
        for (const t of done)
          options.onProgress?.({
            source: name,
            resource: t.name,
            phase: 'loading',
            pages: t.pages,
            rows: t.rows,
          });
        await load.commit(
          changed.map((t) => ({ root: t.name, disposition: 'replace' })),
          {
            signal: options.signal,
            recreate: true,
            within: async (conn) => {
              for (const t of dropped) await conn.query(`DROP TABLE IF EXISTS ${qualified(name, t)}`);
              // A table published with no rows has no batch to stage: it is created from the manifest's columns.
              for (const t of done.filter((d) => d.rows === 0)) {
                const table = changed.find((c) => c.name === t.name)!;
                await conn.query(`DROP TABLE IF EXISTS ${qualified(name, t.name)}`);
                await conn.query(`CREATE TABLE ${qualified(name, t.name)} (${columnsSql(table)})`);
              }
              await recordPull(conn, name, {
                version: manifest.version,
                published_at: published,
                now: this.#db.now(),
                dropped,
                tables: tables.map((t) => tableRecord(t)),
              });
            },
          },
        );
      },
    );
    await this.#db.updateTableMetadata(name, name);
    return done;
  }

  /**
   * Streams each of the table's files into a spool (checked against the manifest's size and sha256 before a row
   * is staged), then stages it row group by row group: one group is decoded while DuckDB inserts the one before,
   * so the heap holds about two groups at a time, never the file.
   */
  async #stageTable(
    source: string,
    table: ManifestTable,
    load: StagedLoad,
    options: SyncOptions,
  ): Promise<{ name: string; rows: number; pages: number }> {
    const parquet = await this.#parquet();
    let rows = 0;
    let pages = 0;
    for (const file of table.files) {
      const path = `/api/datasets/${encodeURIComponent(source)}/${file.path}`;
      const spool = await this.#spool();
      try {
        const blob = await downloadVerified(
          { path, bytes: file.bytes, sha256: file.sha256 },
          {
            spool,
            signal: options.signal,
            get: (headers) => this.#get(path, { signal: options.signal, headers }),
          },
        );
        const reader = await parquet.ParquetFile.fromFile(blob);
        try {
          const groups = reader.metadata().numRowGroups();
          for (let group = 0; group < groups; group++) {
            options.signal?.throwIfAborted();
            const wasm = await reader.read({ rowGroups: [group], batchSize: 1 << 20 });
            const batch: Table = tableFromIPC(wasm.intoIPCStream());
            await load.flush();
            if (batch.numRows > 0) load.stageArrow(table.name, batch);
            rows += batch.numRows;
            pages += 1;
            options.onProgress?.({ source, resource: table.name, phase: 'fetching', pages, rows });
          }
        } finally {
          reader.free();
        }
      } finally {
        await spool.remove();
      }
    }
    if (rows !== table.rows) {
      throw new SyncError(
        'bad_response',
        `${source}.${table.name} has ${rows} rows in its files; its manifest says ${table.rows}.`,
      );
    }
    return { name: table.name, rows, pages };
  }

  async #get(
    path: string,
    options: { signal?: AbortSignal; headers?: Record<string, string>; notModified?: boolean },
  ): Promise<Response> {
    if (this.#origin === null) {
      throw new ConfigError('config_invalid', 'Team data needs the Dinobase proxy: this engine has none.');
    }
    const url = `${this.#origin}${path}`;
    let response: Response;
    try {
      response = await this.#fetch(url, { headers: options.headers, signal: options.signal });
    } catch (error) {
      options.signal?.throwIfAborted();
      throw new SyncError('network_error', `Could not reach ${url}: ${errorMessage(error)}.`);
    }
    if (response.ok || (options.notModified && response.status === 304)) return response;
    const body = await response.text().catch(() => '');
    const detail = body.length > 0 && body.length < 300 ? ` ${body}` : '';
    throw new SyncError(
      response.status === 404 ? 'not_found' : 'http_error',
      `GET ${path} answered ${response.status}.${detail}`,
    );
  }
}

function tableRecord(t: ManifestTable): Omit<TeamTableRecord, 'pulled_at' | 'published_at'> {
  const version = t.files[0]?.path.split('/')[1] ?? '';
  return { table: t.name, version, sha256: contentHash(t), rows: t.rows, bytes: t.bytes };
}

function columnsSql(table: ManifestTable): string {
  return table.columns
    .map((c) => {
      if (!TYPE_NAME.test(c.type))
        throw new SyncError('bad_response', `Column ${table.name}.${c.name} has type '${c.type}'.`);
      return `${quoteIdent(c.name)} ${c.type}`;
    })
    .join(', ');
}
