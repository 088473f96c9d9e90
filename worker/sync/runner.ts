// SyncRunner: every sync of the engine goes through here, started by the user or the scheduler: cancel, events, schedule, history.
import type { Clock } from '../clock.ts';
import type { DinobaseDB } from '../db.ts';
import { ConfigError } from '../errors.ts';
import type { StoredSource } from '../meta/sources.ts';
import type { SyncEngine, SyncProgress, SyncResult, SyncSourceConfig } from './engine.ts';
import { SyncScheduler, type ScheduleOptions } from './scheduler.ts';

/** What started a sync. */
export type SyncTrigger = 'manual' | 'schedule';

/** What sync watchers receive, for every sync however it was started. */
export type SyncEvent =
  | { type: 'started'; source: string; trigger: SyncTrigger }
  | { type: 'progress'; source: string; progress: SyncProgress }
  | { type: 'finished'; source: string; trigger: SyncTrigger; result: SyncResult };

export interface SourceSyncStatus {
  name: string;
  type: string;
  sync_interval: string | null;
  /**
   * ISO time of the next scheduled sync; null when the source is not scheduled (no interval, a sample or
   * file source, or no scheduler running). A time in the past means due now.
   */
  next_run_at: string | null;
  /** What started the sync running now, or null. */
  syncing: SyncTrigger | null;
  /** The latest successful sync since the data was last deleted, if any. */
  last_success_at: string | null;
  /** The latest sync, successful or not (`cancelled` when stopped), since the data was last deleted. */
  last_attempt: { status: string; finished_at: string | null; error: string | null } | null;
  /** When Delete data dropped the source's tables, if no sync succeeded since. */
  data_deleted_at: string | null;
}

/** One row of `_dinobase.sync_log`, newest first. */
export interface SyncLogEntry {
  id: number;
  source: string;
  type: string;
  /**
   * `running`, `success`, `error`, `cancelled` (stopped; the data was kept), `interrupted` (a `running` row
   * whose tab went away), or `deleted` (Delete data dropped the source's tables).
   */
  status: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  tables_synced: number;
  rows_synced: number;
  error: string | null;
}

export interface RunOptions {
  trigger?: SyncTrigger;
  credentials?: Record<string, string>;
  timeoutMs?: number;
  onProgress?: (progress: SyncProgress) => void;
}

export interface RunnerOptions {
  /** Direct mode: credentials for scheduled syncs (the proxy holds them in relay mode). */
  credentials?: (source: string) => Record<string, string> | undefined;
  clock?: Clock;
  /** Syncs at once from the scheduler. @default 2 */
  maxWorkers?: number;
}

type Listener = (event: SyncEvent) => unknown;

interface Running {
  controller: AbortController;
  trigger: SyncTrigger;
  /** What it fetches: type, base URL and resources (never the credentials). */
  work: string;
  result: Promise<SyncResult>;
}

const workOf = (config: SyncSourceConfig) =>
  JSON.stringify([config.type, config.base_url ?? null, config.resources ?? null]);

/**
 * A resource's `fetching` counts go out at most this often: each is a message to every watcher (the page, then a
 * render), and one per page cost the tab's sync ~1 ms a page of the engine worker's time (docs/ARCHITECTURE.md, P2).
 */
export const PROGRESS_EVERY_MS = 100;

/**
 * Passes a sync's progress on: a new phase or resource at once (the last counts of the one before first, so
 * none is left behind), and a resource's `fetching` counts at most every PROGRESS_EVERY_MS.
 */
export function throttleProgress(
  clock: Pick<Clock, 'now'>,
  send: (progress: SyncProgress) => void,
): (progress: SyncProgress) => void {
  let held: SyncProgress | null = null;
  let last: SyncProgress | null = null;
  let sentAt = -Infinity;
  return (progress) => {
    const now = clock.now();
    const changed = progress.phase !== last?.phase || progress.resource !== last.resource;
    last = progress;
    if (changed && held) send(held);
    held = null;
    if (!changed && progress.phase === 'fetching' && now - sentAt < PROGRESS_EVERY_MS) {
      held = progress;
      return;
    }
    sentAt = now;
    send(progress);
  };
}

const iso = (ms: unknown) => (ms == null ? null : new Date(Number(ms)).toISOString());
const HISTORY_MAX = 500;

export class SyncRunner {
  #db: DinobaseDB;
  #engine: Pick<SyncEngine, 'sync'>;
  #credentials: RunnerOptions['credentials'];
  #running = new Map<string, Running>();
  #listeners = new Set<Listener>();
  #clock: Clock;
  readonly scheduler: SyncScheduler;

  constructor(db: DinobaseDB, engine: Pick<SyncEngine, 'sync'>, options: RunnerOptions = {}) {
    this.#db = db;
    this.#engine = engine;
    this.#credentials = options.credentials;
    this.#clock = options.clock ?? db.clock;
    this.scheduler = new SyncScheduler(db, {
      // In the browser a source syncs by itself only when the user gave it an interval.
      defaultInterval: null,
      retryDelay: '1m',
      maxWorkers: options.maxWorkers ?? 2,
      clock: this.#clock,
      credentials: options.credentials && ((source: StoredSource) => options.credentials?.(source.name)),
      isSyncing: (name) => this.#running.has(name),
      engine: { sync: (name, config) => this.#execute(name, config, { trigger: 'schedule' }) },
    });
  }

  /** Names of the sources syncing now. */
  get active(): string[] {
    return [...this.#running.keys()];
  }

  /** Calls `listener` with every sync's start, progress and result until the returned function is called. */
  watch(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Syncs one registered source now; errors are results (the seed's shape), never throws. */
  async run(name: string, options: RunOptions = {}): Promise<SyncResult> {
    const source = await this.#db.getSource(name);
    if (!source) {
      const known = (await this.#db.getSources()).map((s) => s.name);
      return {
        source_name: name,
        source_type: 'unknown',
        tables_synced: 0,
        rows_synced: 0,
        rows_written: 0,
        status: 'error',
        error: `Source '${name}' is not registered.${known.length ? ` Registered: ${known.join(', ')}` : ' Add it first.'}`,
        resources: [],
        elapsed_ms: 0,
      };
    }
    const config: SyncSourceConfig = {
      type: source.type,
      base_url: source.base_url,
      resources: source.resources,
      credentials: options.credentials ?? this.#credentials?.(name),
    };
    return this.#execute(name, config, options);
  }

  /** Stops the source's running sync; nothing it fetched is kept. False when it was not syncing. */
  cancel(name: string): boolean {
    const running = this.#running.get(name);
    running?.controller.abort(new Error('cancelled by the user'));
    return running !== undefined;
  }

  /**
   * A sync asked for while the same source is syncing (a click during a scheduled run) joins that run when it
   * fetches the same thing: starting a second would fetch everything twice, and refusing would show an error for
   * what is in fact under way. When it fetches something else (the working set changed), this one runs after it.
   */
  #execute(name: string, config: SyncSourceConfig, options: RunOptions): Promise<SyncResult> {
    const running = this.#running.get(name);
    if (running?.work === workOf(config)) return this.#join(name, running.result, options);
    const again = () => this.#execute(name, config, options);
    if (running) return running.result.then(again, again);
    const controller = new AbortController();
    const trigger = options.trigger ?? 'manual';
    const result = this.#syncOnce(name, config, options, trigger, controller);
    this.#running.set(name, { controller, trigger, work: workOf(config), result });
    return result;
  }

  async #syncOnce(
    name: string,
    config: SyncSourceConfig,
    options: RunOptions,
    trigger: SyncTrigger,
    controller: AbortController,
  ): Promise<SyncResult> {
    // The caller sets the entry once this promise exists: nothing below may run before it.
    await Promise.resolve();
    this.#emit({ type: 'started', source: name, trigger });
    try {
      const result = await this.#engine.sync(name, config, {
        signal: controller.signal,
        timeoutMs: options.timeoutMs,
        onProgress: throttleProgress(this.#clock, (progress) => {
          options.onProgress?.(progress);
          this.#emit({ type: 'progress', source: name, progress });
        }),
      });
      this.#emit({ type: 'finished', source: name, trigger, result });
      return result;
    } finally {
      this.#running.delete(name);
      // The source's next run moved; the scheduler may have been sleeping towards the old one.
      this.scheduler.wake();
    }
  }

  /** Waits for the running sync's result, passing on its progress from now on. */
  async #join(name: string, result: Promise<SyncResult>, options: RunOptions): Promise<SyncResult> {
    const { onProgress } = options;
    const stop = onProgress
      ? this.watch((event) => {
          if (event.type === 'progress' && event.source === name) onProgress(event.progress);
        })
      : () => undefined;
    try {
      return await result;
    } finally {
      stop();
    }
  }

  #emit(event: SyncEvent): void {
    for (const listener of this.#listeners) {
      // A watcher is usually a page through Comlink; one that went away must not break the sync.
      try {
        void Promise.resolve(listener(event)).catch(() => this.#listeners.delete(listener));
      } catch {
        this.#listeners.delete(listener);
      }
    }
  }

  /** Sets or clears (null or '') the source's sync interval; the scheduler takes it into account at once. */
  async setInterval(name: string, interval: string | null): Promise<SourceSyncStatus> {
    const source = await this.#db.getSource(name);
    if (!source) throw new ConfigError('not_found', `Source '${name}' is not registered.`);
    const value = interval?.trim() || null;
    if (value !== null && this.scheduler.intervalOf({ ...source, sync_interval: value }) === null) {
      throw new ConfigError(
        'invalid_argument',
        `Source '${name}' is a ${source.type} source, whose data is not fetched from an API: it has no sync schedule.`,
      );
    }
    await this.#db.addSource({
      name,
      type: source.type,
      base_url: source.base_url,
      resources: source.resources,
      sync_interval: value,
      freshness_threshold: source.freshness_threshold,
    });
    this.scheduler.wake();
    return (await this.status()).find((s) => s.name === name)!;
  }

  /** Every registered source's schedule, running sync and latest result. */
  async status(): Promise<SourceSyncStatus[]> {
    const sources = await this.#db.getSources();
    const [next, rows] = await Promise.all([
      this.scheduler.running ? this.scheduler.nextRuns(sources) : new Map<string, number | null>(),
      // Only what happened since the latest Delete data counts: its tables are gone.
      this.#db.query(
        `WITH log AS (
           SELECT *, max(id) FILTER (WHERE status = 'deleted') OVER (PARTITION BY connector_name) AS deleted_id
           FROM _dinobase.sync_log)
         SELECT connector_name AS name,
           epoch_ms(MAX(finished_at) FILTER (WHERE status = 'success' AND id > COALESCE(deleted_id, 0))) AS success,
           arg_max(status, id) FILTER (WHERE id > COALESCE(deleted_id, 0)) AS status,
           epoch_ms(arg_max(finished_at, id) FILTER (WHERE id > COALESCE(deleted_id, 0))) AS finished,
           arg_max(error_message, id) FILTER (WHERE id > COALESCE(deleted_id, 0)) AS error,
           epoch_ms(arg_max(finished_at, id) FILTER (WHERE id = deleted_id)) AS deleted,
           bool_or(status = 'success' AND id > COALESCE(deleted_id, 0)) AS synced_since
         FROM log GROUP BY connector_name`,
      ),
    ]);
    const last = new Map(rows.map((r) => [String(r.name), r]));
    return sources.map((source) => {
      const row = last.get(source.name);
      const running = this.#running.get(source.name);
      return {
        name: source.name,
        type: source.type,
        sync_interval: source.sync_interval,
        next_run_at: iso(next.get(source.name)),
        syncing: running?.trigger ?? null,
        last_success_at: iso(row?.success),
        last_attempt:
          row?.status != null
            ? {
                status: this.#status(source.name, String(row.status)),
                finished_at: iso(row.finished),
                error: row.error == null ? null : String(row.error),
              }
            : null,
        data_deleted_at: row?.synced_since ? null : iso(row?.deleted),
      };
    });
  }

  /** `_dinobase.sync_log`, newest first: one source's or every source's. */
  async history(options: { name?: string; limit?: number } = {}): Promise<SyncLogEntry[]> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 20)), HISTORY_MAX);
    const rows = await this.#db.query(
      `SELECT id, connector_name, connector_type, status, epoch_ms(started_at) AS started,
         epoch_ms(finished_at) AS finished, tables_synced, rows_synced, error_message
       FROM _dinobase.sync_log WHERE ?::VARCHAR IS NULL OR connector_name = ?
       ORDER BY id DESC LIMIT ${limit}`,
      [options.name ?? null, options.name ?? null],
    );
    return rows.map((r) => {
      const started = Number(r.started);
      const finished = r.finished == null ? null : Number(r.finished);
      return {
        id: Number(r.id),
        source: String(r.connector_name),
        type: String(r.connector_type),
        status: this.#status(String(r.connector_name), String(r.status)),
        started_at: iso(started)!,
        finished_at: iso(finished),
        duration_ms: finished === null ? null : Math.max(0, finished - started),
        tables_synced: Number(r.tables_synced ?? 0),
        rows_synced: Number(r.rows_synced ?? 0),
        error: r.error_message == null ? null : String(r.error_message),
      };
    });
  }

  /** A `running` log row is only running if this engine is syncing that source; else its tab went away. */
  #status(name: string, status: string): string {
    return status === 'running' && !this.#running.has(name) ? 'interrupted' : status;
  }

  /** Starts the scheduler; it runs while this engine (the tab) is open. */
  start(options: ScheduleOptions = {}): void {
    this.scheduler.startBackground(options);
  }

  /** Stops the scheduler, waiting for the syncs it started. */
  async stop(): Promise<void> {
    await this.scheduler.stop();
  }

  /** Why the database cannot be taken offline now, or null. */
  busyReason(): string | null {
    const names = this.active;
    return names.length > 0
      ? `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} syncing; wait for ${names.length === 1 ? 'it' : 'them'} or stop ${names.length === 1 ? 'it' : 'them'} first.`
      : null;
  }
}
