// SyncScheduler: syncs every registered source whose interval has passed, a bounded number at a time.
import type { Clock } from '../clock.ts';
import type { DinobaseDB } from '../db.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import { checkDuration, type StoredSource } from '../meta/sources.ts';
import { SyncEngine, type SyncResult, type SyncSourceConfig } from './engine.ts';

/** Sources whose data is not pulled from an API never come due. */
const NEVER_DUE_TYPES = new Set(['parquet', 'csv', 'sample']);

export interface ScheduledResult {
  source: string;
  status: SyncResult['status'];
  tables: number;
  rows: number;
  error: string | null;
}

export interface SchedulerOptions {
  /**
   * Interval for sources without their own `sync_interval`, e.g. "30s", "15m", "1h", "1d"; `null` schedules
   * only sources that have one (the browser: a source syncs on its own only when the user asked for it).
   * @default '1h'
   */
  defaultInterval?: string | null;
  /**
   * After a failed sync, wait this long (at most the source's interval) before trying again. Without it a
   * failed source is retried on the next round, as the original does.
   */
  retryDelay?: string;
  /** Syncs started elsewhere (a "Sync now" button): such a source is not due while this says it is running. */
  isSyncing?: (source: string) => boolean;
  /** Most syncs running at once. */
  maxWorkers?: number;
  clock?: Clock;
  engine?: Pick<SyncEngine, 'sync'>;
  /** Where a source's credentials come from (environment in Node, the proxy in the browser). */
  credentials?: (source: StoredSource) => Record<string, string> | undefined;
}

/** How the background loop runs (intervals as text, e.g. "60s"). */
export interface ScheduleOptions {
  /** The longest sleep between rounds. @default '60s' */
  checkInterval?: string;
  /** A sleep before the first round; none by default. */
  firstRoundAfter?: string;
}

/** An interval setting in seconds; a ConfigError naming the bad value. */
export function parseInterval(text: string): number {
  return checkDuration('sync interval', text)!;
}

/** Shortest pause of the background loop, so a source that stays due cannot spin it. */
const MIN_WAIT_MS = 1000;

interface LastRuns {
  success: number | null;
  failure: number | null;
}

export class SyncScheduler {
  readonly defaultIntervalSeconds: number | null;
  readonly retryDelaySeconds: number | null;
  readonly maxWorkers: number;
  #db: DinobaseDB;
  #clock: Clock;
  #engine: Pick<SyncEngine, 'sync'>;
  #credentials: SchedulerOptions['credentials'];
  #busy: (source: string) => boolean;
  #syncing = new Set<string>();
  #loop: { controller: AbortController; done: Promise<void> } | null = null;
  #wake: AbortController | null = null;

  constructor(db: DinobaseDB, options: SchedulerOptions = {}) {
    this.defaultIntervalSeconds =
      options.defaultInterval === null ? null : parseInterval(options.defaultInterval ?? '1h');
    this.retryDelaySeconds = options.retryDelay ? parseInterval(options.retryDelay) : null;
    const maxWorkers = options.maxWorkers ?? 10;
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1) {
      throw new ConfigError('invalid_argument', `maxWorkers must be a positive integer, got ${maxWorkers}.`);
    }
    this.maxWorkers = maxWorkers;
    this.#db = db;
    this.#clock = options.clock ?? db.clock;
    this.#engine = options.engine ?? new SyncEngine(db, { clock: this.#clock });
    this.#credentials = options.credentials;
    this.#busy = options.isSyncing ?? (() => false);
  }

  get running(): boolean {
    return this.#loop !== null;
  }

  /** The source's interval in seconds, or null when it is never synced on a schedule. */
  intervalOf(source: StoredSource): number | null {
    if (NEVER_DUE_TYPES.has(source.type)) return null;
    return source.sync_interval ? parseInterval(source.sync_interval) : this.defaultIntervalSeconds;
  }

  /**
   * When the source is next due, in epoch ms (at or before now: due now), or null when it is never
   * scheduled. Due = the last successful sync + its interval; never synced = now; after a failure, not
   * before `retryDelay` (capped at the interval) has passed.
   */
  async nextRun(source: StoredSource): Promise<number | null> {
    return this.#nextRun(source, (await this.#lastRuns()).get(source.name));
  }

  /** `nextRun` for every registered source, keyed by name, in one round trip. */
  async nextRuns(sources?: StoredSource[]): Promise<Map<string, number | null>> {
    const [list, last] = await Promise.all([sources ?? this.#db.getSources(), this.#lastRuns()]);
    return new Map(list.map((s) => [s.name, this.#nextRun(s, last.get(s.name))]));
  }

  async isDue(source: StoredSource): Promise<boolean> {
    if (this.#syncing.has(source.name) || this.#busy(source.name)) return false;
    const next = await this.nextRun(source);
    return next !== null && next <= this.#clock.now();
  }

  #nextRun(source: StoredSource, last: LastRuns | undefined): number | null {
    const interval = this.intervalOf(source);
    if (interval === null) return null;
    const now = this.#clock.now();
    let due = last?.success == null ? now : last.success + interval * 1000;
    const failedSince = last?.failure != null && (last.success == null || last.failure > last.success);
    if (this.retryDelaySeconds !== null && failedSince) {
      due = Math.max(due, last.failure! + Math.min(this.retryDelaySeconds, interval) * 1000);
    }
    return due;
  }

  /**
   * Epoch ms of each source's latest successful and latest failed sync, from `_dinobase.sync_log`. A stopped
   * sync waits like a failed one: the scheduler must not start again at once what the user just stopped.
   */
  async #lastRuns(): Promise<Map<string, LastRuns>> {
    const rows = await this.#db.query(
      `SELECT connector_name AS name,
         epoch_ms(MAX(finished_at) FILTER (WHERE status = 'success')) AS success,
         epoch_ms(MAX(finished_at) FILTER (WHERE status IN ('error', 'cancelled'))) AS failure
       FROM _dinobase.sync_log GROUP BY connector_name`,
    );
    return new Map(
      rows.map((r) => [
        String(r.name),
        {
          success: r.success == null ? null : Number(r.success),
          failure: r.failure == null ? null : Number(r.failure),
        },
      ]),
    );
  }

  /** Syncs every due source, at most `maxWorkers` at once; results come in completion order and errors never escape. */
  async syncAllDue(): Promise<ScheduledResult[]> {
    const sources = await this.#db.getSources();
    const next = await this.nextRuns(sources);
    const now = this.#clock.now();
    const due = sources.filter((s) => {
      const at = next.get(s.name);
      return at != null && at <= now && !this.#syncing.has(s.name) && !this.#busy(s.name);
    });
    for (const source of due) this.#syncing.add(source.name);
    const results: ScheduledResult[] = [];
    const queue = [...due];
    const worker = async () => {
      for (let source = queue.shift(); source; source = queue.shift()) {
        results.push(await this.#syncOne(source));
        this.#syncing.delete(source.name);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.maxWorkers, due.length) }, worker));
    return results;
  }

  async #syncOne(source: StoredSource): Promise<ScheduledResult> {
    try {
      const config: SyncSourceConfig = {
        type: source.type,
        base_url: source.base_url,
        resources: source.resources,
        credentials: this.#credentials?.(source),
      };
      const r: SyncResult = await this.#engine.sync(source.name, config);
      return {
        source: source.name,
        status: r.status,
        tables: r.tables_synced,
        rows: r.rows_synced,
        error: r.error,
      };
    } catch (error) {
      return { source: source.name, status: 'error', tables: 0, rows: 0, error: errorMessage(error) };
    }
  }

  /**
   * Syncs what is due now, then sleeps until the next source is due (at most `checkInterval`, at least a
   * second) and repeats until stopped. `wake()` cuts a sleep short, e.g. after an interval changed.
   * `firstRoundAfter` sleeps before the first round (a tab's start: its first query goes first).
   */
  async runLoop(options: ScheduleOptions & { signal?: AbortSignal } = {}): Promise<void> {
    const every = parseInterval(options.checkInterval ?? '60s') * 1000;
    const { signal } = options;
    const first = options.firstRoundAfter ? parseInterval(options.firstRoundAfter) * 1000 : 0;
    if (first > 0 && !(await this.#pause(first, signal))) return;
    while (!signal?.aborted) {
      const wake = this.#armWake();
      let wait = every;
      try {
        await this.syncAllDue();
        wait = await this.#untilNext(every);
      } catch {
        // The database is briefly unavailable (closed for a backup or restore): look again later.
      }
      if (!(await this.#pause(wait, signal, wake))) return;
    }
  }

  #armWake(): AbortController {
    this.#wake = new AbortController();
    return this.#wake;
  }

  /** Sleeps `ms` or until `wake()`; false once the loop was stopped. */
  async #pause(ms: number, signal?: AbortSignal, wake = this.#armWake()): Promise<boolean> {
    try {
      await this.#clock.sleep(ms, signal ? AbortSignal.any([signal, wake.signal]) : wake.signal);
    } catch {
      if (signal?.aborted) return false;
    }
    return true;
  }

  /** Milliseconds until the earliest scheduled source is due, within [MIN_WAIT_MS, max]. */
  async #untilNext(max: number): Promise<number> {
    const now = this.#clock.now();
    let wait = max;
    for (const [name, at] of await this.nextRuns()) {
      if (at === null || this.#syncing.has(name) || this.#busy(name)) continue;
      wait = Math.min(wait, Math.max(MIN_WAIT_MS, at - now));
    }
    return wait;
  }

  /** Re-reads the schedule now instead of at the end of the current sleep. */
  wake(): void {
    this.#wake?.abort();
  }

  /** Starts the loop in the background; calling it again while running does nothing. */
  startBackground(options: ScheduleOptions = {}): void {
    if (this.#loop) return;
    const controller = new AbortController();
    const done = this.runLoop({ ...options, signal: controller.signal }).catch(() => undefined);
    this.#loop = { controller, done };
  }

  /** Stops the background loop and waits for the current round of syncs to finish. */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    loop.controller.abort(new Error('scheduler stopped'));
    await loop.done;
    this.#loop = null;
  }
}
