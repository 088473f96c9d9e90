// SyncEngine: fetches a source's resources through its connector spec and loads them atomically, with state.
import { systemClock, type Clock } from '../clock.ts';
import { builtinConnectors } from '../connectors/builtin.ts';
import { getPath, type Scope } from '../connectors/paths.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type { ConnectorSpec, ResourceSpec } from '../connectors/spec.ts';
import type { DinobaseDB } from '../db.ts';
import { DinobaseError, errorMessage } from '../errors.ts';
import { withStagedLoad, type StagedLoad } from '../ingest/load.ts';
import { clearSample, holdsSample } from '../meta/origin.ts';
import { Normalizer, snakeCase } from '../ingest/normalize.ts';
import { cursorAt, maxCursor, toCursor, type CursorValue } from './cursor.ts';
import { fetchPages, retryTuning, secretParams, type FetchPlan } from './fetcher.ts';
import type { RequestOrigin, RetryTuning } from './http.ts';
import { annotationsOf, planResources, primaryKey, typeHints } from './plan.ts';
import { feedKey, loadCursors, saveCursors } from './state.ts';
import { emptyResult, logFailure, logSuccess } from './run-log.ts';
import { directTransport, type Transport } from './transport.ts';

export interface SyncSourceConfig {
  type: string;
  /** Applied by the worker in direct mode; in relay mode the proxy holds them and only non-secret fields are used. */
  credentials?: Record<string, string>;
  /** Replaces the connector's base_url in direct mode (a sandbox, an EU data centre); relay mode asks the proxy. */
  base_url?: string | null;
  resources?: string[] | null;
}

export interface SyncProgress {
  source: string;
  resource: string;
  phase: 'fetching' | 'loading' | 'done';
  pages: number;
  rows: number;
}

export interface SyncOptions {
  onProgress?: (progress: SyncProgress) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface SyncResult {
  source_name: string;
  source_type: string;
  tables_synced: number;
  /** Records fetched and written (rows of the resources' own tables; an incremental sync counts only what changed). */
  rows_synced: number;
  /** Every row written, child tables (lists inside records, such as invoice lines) included. */
  rows_written: number;
  /** `cancelled`: stopped by the user or the app before it committed; the previous data is kept. */
  status: 'success' | 'error' | 'cancelled' | 'skipped';
  error: string | null;
  resources: { name: string; pages: number; rows: number }[];
  elapsed_ms: number;
}

export interface SyncEngineOptions {
  /** How requests reach the vendors; default: direct, with `fetch`. */
  transport?: Transport;
  /** Used by the default direct transport (ignored when `transport` is given). */
  fetch?: typeof fetch;
  clock?: Clock;
  connectors?: ConnectorRegistry;
  /** Retry tuning, mainly for tests; its `budgetMs` overrides the connector's `client.retry.budget`. */
  retry?: RetryTuning;
}

/** Rows buffered per resource before they are staged into DuckDB (bounds memory, overlaps loading). */
const STAGE_BATCH_ROWS = 2_000;

interface Fetched {
  resource: ResourceSpec;
  normalizer: Normalizer;
  records: unknown[];
  pages: number;
  rows: number;
}

export class SyncEngine {
  #db: DinobaseDB;
  #transport: Transport;
  #clock: Clock;
  #connectors: ConnectorRegistry;
  #retry: SyncEngineOptions['retry'];
  #running = new Set<string>();

  constructor(db: DinobaseDB, options: SyncEngineOptions = {}) {
    this.#db = db;
    this.#transport =
      options.transport ?? directTransport(options.fetch ?? ((input, init) => globalThis.fetch(input, init)));
    this.#clock = options.clock ?? db.clock ?? systemClock;
    this.#connectors = options.connectors ?? builtinConnectors();
    this.#retry = options.retry;
  }

  get connectors(): ConnectorRegistry {
    return this.#connectors;
  }

  isSyncing(name: string): boolean {
    return this.#running.has(name);
  }

  async sync(name: string, config: SyncSourceConfig, options: SyncOptions = {}): Promise<SyncResult> {
    const started = this.#clock.now();
    const result = emptyResult(name, config.type);
    if (this.#running.has(name)) {
      return { ...result, status: 'skipped', error: `Source '${name}' is already syncing.` };
    }
    this.#running.add(name);
    const signals = [
      options.signal,
      options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined,
    ].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    let logId: number | null = null;
    // The request in flight, for a timeout's message; null once loading starts.
    const at: { request: RequestOrigin | null } = { request: null };
    try {
      const spec = this.#connectors.get(config.type);
      logId = await this.#db.logSyncStart(name, config.type);
      const { items, written } = await withStagedLoad(
        () => this.#db.connect(),
        name,
        `sync${logId}`,
        async (load) => {
          const fetched = await this.#fetchAll(name, spec, config, options, signal, started, load, at);
          at.request = null;
          const loaded = await this.#load(name, load, fetched.items, fetched.cursors, signal, options);
          return { items: fetched.items, written: loaded };
        },
      );
      await this.#db.updateTableMetadata(name, name, annotationsOf(spec));
      result.tables_synced = written.tables;
      result.rows_synced = written.rows;
      result.rows_written = written.written;
      result.resources = items.map(({ resource, pages, rows }) => ({ name: resource.name, pages, rows }));
      await logSuccess(this.#db, logId, result, options.onProgress);
    } catch (error) {
      result.error = describeFailure(name, error, signal, options.timeoutMs, at.request);
      // A timeout is a failure; a stop (the user, or the tab handing the database over) is not.
      if (signal?.aborted && !timedOut(signal)) result.status = 'cancelled';
      await logFailure(this.#db, logId, result);
    } finally {
      this.#running.delete(name);
      result.elapsed_ms = Math.round(this.#clock.now() - started);
    }
    return result;
  }

  async #fetchAll(
    name: string,
    spec: ConnectorSpec,
    config: SyncSourceConfig,
    options: SyncOptions,
    signal: AbortSignal | undefined,
    started: number,
    load: StagedLoad,
    at: { request: RequestOrigin | null },
  ): Promise<{ items: Fetched[]; cursors: Map<string, CursorValue> }> {
    const route = await this.#transport.route({
      source: name,
      spec,
      baseUrl: config.base_url,
      credentials: config.credentials,
      signal,
    });
    const plan: FetchPlan = {
      spec,
      source: name,
      route,
      http: {
        fetch: this.#transport.fetch,
        clock: this.#clock,
        signal,
        secretParams: secretParams(spec),
        onRequest: (origin) => (at.request = origin),
        ...retryTuning(spec, this.#retry),
      },
    };
    const stored = await loadCursors(this.#db, name);
    const cursors = new Map<string, CursorValue>();
    const done = new Map<string, Fetched>();
    for (const resource of planResources(spec, config.resources)) {
      const item: Fetched = {
        resource,
        normalizer: new Normalizer({
          table: resource.name,
          primaryKey: primaryKey(resource).map(snakeCase),
          unwrap: resource.unwrap,
          hints: typeHints(resource),
        }),
        records: [],
        pages: 0,
        rows: 0,
      };
      const report = () =>
        options.onProgress?.({
          source: name,
          resource: resource.name,
          phase: 'fetching',
          pages: item.pages,
          rows: item.rows,
        });
      // Only parents keep raw records: their children's requests are built from them.
      const isParent = spec.resources.some((r) => r.parent?.resource === resource.name);
      const start = resource.incremental
        ? (stored.get(resource.name) ?? resource.incremental.initial_value)
        : undefined;
      let seen: CursorValue | undefined = stored.get(resource.name);
      const take = (records: unknown[], extra?: Record<string, unknown>) => {
        const rows = extra ? records.map((r) => ({ ...(r as object), ...extra })) : records;
        item.normalizer.add(rows);
        if (isParent) item.records.push(...rows);
        if (resource.incremental) {
          for (const r of rows)
            seen = maxCursor(seen, toCursor(getPath(r, resource.incremental.cursor_path)));
        }
        item.pages += 1;
        item.rows += rows.length;
        if ((item.normalizer.tables.get(resource.name)?.length ?? 0) >= STAGE_BATCH_ROWS) {
          for (const table of item.normalizer.tables.values()) load.stage(table);
        }
        report();
      };
      const parents = resource.parent ? (done.get(resource.parent.resource)?.records ?? []) : [undefined];
      for (const parent of parents) {
        const link = resource.parent;
        const value = link && parent ? getPath(parent, link.field) : undefined;
        const scope: Scope = link ? { [link.param]: value as string } : {};
        const extra = link ? { [`_${link.resource}_${snakeCase(link.field)}`]: value } : undefined;
        for await (const page of fetchPages(plan, resource, { start, scope })) take(page, extra);
      }
      if (resource.change_feed) {
        const feed = resource.change_feed;
        const key = feedKey(resource.name);
        const from = stored.get(key);
        let feedSeen = from ?? cursorAt(started, feed.incremental.initial_value);
        if (from !== undefined) {
          const feedResource = {
            name: `${resource.name} changes`,
            endpoint: feed.endpoint,
            incremental: feed.incremental,
          };
          for await (const page of fetchPages(plan, feedResource, { start: from })) {
            for (const event of page)
              feedSeen = maxCursor(feedSeen, toCursor(getPath(event, feed.incremental.cursor_path)))!;
            take(
              page.map((event) => getPath(event, feed.record_path)).filter((r) => r && typeof r === 'object'),
            );
          }
        }
        cursors.set(key, feedSeen);
      }
      if (seen !== undefined) cursors.set(resource.name, seen);
      for (const table of item.normalizer.tables.values()) load.stage(table);
      done.set(resource.name, item);
    }
    return { items: [...done.values()], cursors };
  }

  /** One transaction for every table and the cursors: a failure anywhere leaves the previous data untouched. */
  async #load(
    name: string,
    load: StagedLoad,
    items: Fetched[],
    cursors: Map<string, CursorValue>,
    signal: AbortSignal | undefined,
    options: SyncOptions,
  ): Promise<{ tables: number; rows: number; written: number }> {
    for (const { resource, pages, rows } of items) {
      options.onProgress?.({ source: name, resource: resource.name, phase: 'loading', pages, rows });
    }
    const commit = items.map((i) => ({ root: i.resource.name, disposition: i.resource.write_disposition }));
    // Synced records never mix with sample data: they replace it whole.
    const overSample = await holdsSample(this.#db, name);
    const loaded = await load.commit(commit, {
      signal,
      replaceAll: overSample,
      within: async (conn) => {
        await saveCursors(conn, name, cursors, this.#db.now());
        if (overSample) await clearSample(conn, name);
      },
    });
    const tables = Object.keys(loaded.rows).length;
    const rows = items.reduce((n, item) => n + (loaded.rows[item.resource.name] ?? 0), 0);
    const written = Object.values(loaded.rows).reduce((n, count) => n + count, 0);
    return { tables, rows, written };
  }
}

function timedOut(signal: AbortSignal): boolean {
  return signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
}

function describeFailure(
  name: string,
  error: unknown,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  at: RequestOrigin | null,
): string {
  if (signal?.aborted) {
    const waiting = at
      ? ` while fetching ${at.source}.${at.resource}${at.page ? ` page ${at.page}` : ''}`
      : '';
    return `Sync of ${name} interrupted: ${timedOut(signal) ? `timed out after ${timeoutMs} ms${waiting}` : 'cancelled'}. Previous data is unchanged.`;
  }
  if (error instanceof DinobaseError) return error.message;
  return `Sync of ${name} failed: ${errorMessage(error)}`;
}
