// SyncScheduler: syncs every registered source whose interval has passed, a bounded number at a time.
import { parseDuration, type Clock } from '../clock.ts';
import type { DinobaseDB } from '../db.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import type { StoredSource } from '../meta/sources.ts';
import { SyncEngine, type SyncResult, type SyncSourceConfig } from './engine.ts';

/** Sources whose data is not pulled from an API never come due. */
const NEVER_DUE_TYPES = new Set(['parquet', 'csv', 'sample']);

export interface ScheduledResult {
  source: string;
  status: 'success' | 'error' | 'skipped';
  tables: number;
  rows: number;
  error: string | null;
}

export interface SchedulerOptions {
  /** Interval for sources without their own `sync_interval`, e.g. "30s", "15m", "1h", "1d". */
  defaultInterval?: string;
  /** Most syncs running at once. */
  maxWorkers?: number;
  clock?: Clock;
  engine?: Pick<SyncEngine, 'sync'>;
  /** Where a source's credentials come from (environment in Node, the proxy in the browser). */
  credentials?: (source: StoredSource) => Record<string, string> | undefined;
}

export function parseInterval(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === null) {
    throw new ConfigError(
      'invalid_argument',
      `Invalid sync interval '${text}': expected a number followed by s, m, h or d (e.g. '30s', '15m', '1h', '1d').`,
    );
  }
  if (seconds <= 0)
    throw new ConfigError('invalid_argument', `Sync interval must be positive, got: '${text}'`);
  return seconds;
}

export class SyncScheduler {
  readonly defaultIntervalSeconds: number;
  readonly maxWorkers: number;
  #db: DinobaseDB;
  #clock: Clock;
  #engine: Pick<SyncEngine, 'sync'>;
  #credentials: SchedulerOptions['credentials'];
  #syncing = new Set<string>();
  #loop: { controller: AbortController; done: Promise<void> } | null = null;

  constructor(db: DinobaseDB, options: SchedulerOptions = {}) {
    this.defaultIntervalSeconds = parseInterval(options.defaultInterval ?? '1h');
    const maxWorkers = options.maxWorkers ?? 10;
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1) {
      throw new ConfigError('invalid_argument', `maxWorkers must be a positive integer, got ${maxWorkers}.`);
    }
    this.maxWorkers = maxWorkers;
    this.#db = db;
    this.#clock = options.clock ?? db.clock;
    this.#engine = options.engine ?? new SyncEngine(db, { clock: this.#clock });
    this.#credentials = options.credentials;
  }

  get running(): boolean {
    return this.#loop !== null;
  }

  async isDue(source: StoredSource): Promise<boolean> {
    if (NEVER_DUE_TYPES.has(source.type) || this.#syncing.has(source.name)) return false;
    const last = await this.#db.getLastSync(source.name);
    if (last === null) return true;
    const interval = source.sync_interval ? parseInterval(source.sync_interval) : this.defaultIntervalSeconds;
    return this.#clock.now() - last >= interval * 1000;
  }

  /** Syncs every due source, at most `maxWorkers` at once; results come in completion order and errors never escape. */
  async syncAllDue(): Promise<ScheduledResult[]> {
    const sources = await this.#db.getSources();
    const due: StoredSource[] = [];
    for (const source of sources) if (await this.isDue(source)) due.push(source);
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

  /** Syncs what is due now, then every `checkInterval` until stopped. */
  async runLoop(options: { checkInterval?: string; signal?: AbortSignal } = {}): Promise<void> {
    const every = parseInterval(options.checkInterval ?? '60s') * 1000;
    const { signal } = options;
    while (!signal?.aborted) {
      await this.syncAllDue();
      try {
        await this.#clock.sleep(every, signal);
      } catch {
        return;
      }
    }
  }

  /** Starts the loop in the background; calling it again while running does nothing. */
  startBackground(options: { checkInterval?: string } = {}): void {
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
