// Sources for the page: the proxy's list, the engine's schedule, live sync progress (manual or scheduled), history and settings.
import type {
  ConnectorInfo,
  SourceSyncStatus,
  SyncEvent,
  SyncLogEntry,
  SyncProgress,
  SyncResult,
  SyncTrigger,
} from '../../worker/api.ts';
import { Comlink, type Engine } from '../lib/engine.ts';
import { listKnownSources } from '../lib/known-sources.ts';
import { deleteCredentials, saveCredentials, type SourceInput, type SourceSummary } from '../lib/proxy.ts';
import type { Login } from './Login.svelte.ts';
import { network } from './network.svelte.ts';

export interface NewSource extends SourceInput {
  name: string;
}

/** A sync running now: what started it and how far each table got. */
export interface LiveSync {
  trigger: SyncTrigger;
  tables: Record<string, SyncProgress>;
}

const HISTORY_LIMIT = 10;

export class Sources {
  #engine: Engine;
  #login: Pick<Login, 'known' | 'readOnly'> | null;
  #list = $state.raw<SourceSummary[]>([]);
  #connectors = $state.raw<ConnectorInfo[]>([]);
  #status = $state.raw<SourceSyncStatus[]>([]);
  #results = $state.raw<Record<string, SyncResult>>({});
  #live = $state.raw<Record<string, LiveSync>>({});
  #history = $state.raw<Record<string, SyncLogEntry[]>>({});
  #bulk = $state(false);
  #offline = $state(false);
  #loaded = $state(false);
  #error = $state.raw<string | null>(null);
  #now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;
  #watching: Promise<string> | null = null;
  #synced: (() => void)[] = [];
  /** Not reactive: only #finish reads it. */
  #finished: Record<string, string> = {};

  /** `login`: the session's role; a read-only login never asks the proxy for its sources (it may not read them). */
  constructor(engine: Engine, login: Pick<Login, 'known' | 'readOnly'> | null = null) {
    this.#engine = engine;
    this.#login = login;
  }

  /** Logged in with DINOBASE_READ_TOKEN: the server's sources are not listed (only team data is readable). */
  get readOnly(): boolean {
    return this.#login?.readOnly ?? false;
  }

  /** What the server holds: names, types, whether credentials are set (as last seen while `offline`). */
  get list() {
    return this.#list;
  }
  /** The server could not be reached: `list` is the one it gave last, kept in this browser. */
  get offline() {
    return this.#offline;
  }
  /** The first refresh finished: until then an empty `list` means "not known yet". */
  get loaded() {
    return this.#loaded;
  }
  get connectors() {
    return this.#connectors;
  }
  /** The engine's view: interval, next run, latest sync, per registered source. */
  get status() {
    return this.#status;
  }
  /** The last result this page saw per source (manual or scheduled). */
  get results() {
    return this.#results;
  }
  get live() {
    return this.#live;
  }
  /** The source syncing now, if any (the first, when several are). */
  get syncing(): string | null {
    return Object.keys(this.#live)[0] ?? null;
  }
  /** True while "Sync sandbox sources" works through its list. */
  get bulk() {
    return this.#bulk;
  }
  get error() {
    return this.#error;
  }
  get sandboxes() {
    return this.#list.filter((s) => s.sandbox);
  }
  /** Ticks each second while a source is scheduled, so "next sync in …" counts down. */
  get now() {
    return this.#now;
  }
  isSyncing(name: string): boolean {
    return name in this.#live;
  }
  statusOf(name: string): SourceSyncStatus | undefined {
    return this.#status.find((s) => s.name === name);
  }
  historyOf(name: string): SyncLogEntry[] | undefined {
    return this.#history[name];
  }

  /** Runs `listener` after every finished sync, however it started (to refresh the catalog). */
  onSynced(listener: () => void): () => void {
    this.#synced.push(listener);
    return () => (this.#synced = this.#synced.filter((l) => l !== listener));
  }

  /** Reads the proxy's sources and registers each usable one with the engine, so it can be synced and queried. */
  async refresh(): Promise<void> {
    this.#watch();
    await this.#login?.known();
    try {
      const [known, connectors, registered] = await Promise.all([
        this.readOnly
          ? { sources: [], offline: false, savedAt: null }
          : listKnownSources({ onUnreachable: () => network.report() }),
        this.#engine.listConnectors(),
        this.#engine.getSources(),
      ]);
      this.#connectors = connectors;
      const unregistered = known.sources.filter(
        (source) => registered.find((s) => s.name === source.name)?.type !== source.type,
      );
      await Promise.all(unregistered.map(({ name, type }) => this.#engine.addSource({ name, type })));
      this.#list = known.sources;
      this.#offline = known.offline;
    } catch (error) {
      this.#error = `Could not list the sources: ${message(error)}`;
    }
    await this.refreshStatus();
    this.#loaded = true;
  }

  async refreshStatus(): Promise<void> {
    try {
      this.#status = await this.#engine.syncStatus();
      this.#tick();
    } catch (error) {
      this.#error = message(error);
    }
  }

  /** Forgets what this page saw of past syncs, after a restore or a wipe replaced the database. */
  forget(): void {
    this.#results = {};
    this.#history = {};
    this.#finished = {};
  }

  /** Sends the credentials to the proxy (never kept in the page), then registers the source with the engine. */
  async add(source: NewSource): Promise<boolean> {
    this.#error = null;
    try {
      const { name, ...input } = source;
      const saved = await saveCredentials(name, input);
      // Saving new credentials for an existing source keeps its schedule.
      const interval = this.statusOf(saved.name)?.sync_interval ?? null;
      await this.#engine.addSource({ name: saved.name, type: saved.type, sync_interval: interval });
      await this.refresh();
      return true;
    } catch (error) {
      this.#error = message(error);
      return false;
    }
  }

  /** Drops the source's tables and history state; a source the server defines in a file is forgotten there too. */
  async remove(name: string): Promise<boolean> {
    this.#error = null;
    try {
      const source = this.#list.find((s) => s.name === name);
      if (source?.origin === 'file') await deleteCredentials(name);
      await this.#engine.removeSource({ name, dropData: true });
      const { [name]: _dropped, ...rest } = this.#results;
      this.#results = rest;
      await this.refresh();
      // The history now ends with the deletion.
      if (this.#history[name]) await this.loadHistory(name);
      this.#notify();
      return true;
    } catch (error) {
      this.#error = message(error);
      return false;
    }
  }

  async sync(name: string): Promise<SyncResult | null> {
    if (this.isSyncing(name)) return null;
    this.#error = null;
    // Shown at once; the engine's "started" event confirms it.
    this.#setLive(name, { trigger: 'manual', tables: {} });
    try {
      const result = await this.#engine.sync({ name });
      this.#finish(name, result);
      return result;
    } catch (error) {
      this.#error = message(error);
      this.#setLive(name, null);
      return null;
    }
  }

  /** Syncs the given sources one after another (the sandboxes by default). */
  async syncAll(names = this.sandboxes.map((s) => s.name)): Promise<void> {
    this.#bulk = true;
    try {
      for (const name of names) await this.sync(name);
    } finally {
      this.#bulk = false;
    }
  }

  /** Stops a running sync; nothing it fetched is kept. */
  async cancel(name: string): Promise<void> {
    await this.#engine.cancelSync({ name });
  }

  /** Sets (or, with '', clears) how often the source syncs while the app is open; resolves to an error message or null. */
  async setInterval(name: string, interval: string): Promise<string | null> {
    try {
      const status = await this.#engine.setSyncInterval({ name, interval: interval.trim() || null });
      this.#status = this.#status.map((s) => (s.name === name ? status : s));
      this.#tick();
      return null;
    } catch (error) {
      return message(error);
    }
  }

  async loadHistory(name: string): Promise<void> {
    try {
      const rows = await this.#engine.syncHistory({ name, limit: HISTORY_LIMIT });
      this.#history = { ...this.#history, [name]: rows };
    } catch (error) {
      this.#error = message(error);
    }
  }

  /** Loads the histories of `names` together (the Sources page waits for them before it shows its cards). */
  async loadHistories(names: string[]): Promise<void> {
    await Promise.all(names.map((name) => this.loadHistory(name)));
  }

  /** Subscribes once to the engine's sync events: scheduled syncs show up here as manual ones do. */
  #watch(): void {
    this.#watching ??= this.#engine
      .watchSyncs({ onEvent: Comlink.proxy((event: SyncEvent) => this.#onEvent(event)) })
      .catch((error: unknown) => {
        this.#watching = null;
        throw error;
      });
    this.#watching.catch(() => undefined);
  }

  #onEvent(event: SyncEvent): void {
    if (event.type === 'started') {
      this.#setLive(event.source, { trigger: event.trigger, tables: this.#live[event.source]?.tables ?? {} });
    } else if (event.type === 'progress') {
      const live = this.#live[event.source];
      // Late progress messages must not revive a sync that already finished.
      if (!live) return;
      const tables = { ...live.tables, [event.progress.resource]: event.progress };
      this.#setLive(event.source, { ...live, tables });
    } else {
      this.#finish(event.source, event.result);
    }
  }

  /**
   * A manual sync's result arrives twice (its return value and the watcher's event), in either order;
   * the second is ignored.
   */
  #finish(name: string, result: SyncResult): void {
    const key = JSON.stringify([result.status, result.elapsed_ms, result.rows_synced, result.error]);
    if (!this.isSyncing(name) && this.#finished[name] === key) return;
    this.#finished[name] = key;
    this.#setLive(name, null);
    this.#results = { ...this.#results, [name]: result };
    void this.refreshStatus();
    if (this.#history[name]) void this.loadHistory(name);
    this.#notify();
  }

  #notify(): void {
    for (const listener of this.#synced) listener();
  }

  #setLive(name: string, live: LiveSync | null): void {
    const { [name]: _old, ...rest } = this.#live;
    this.#live = live ? { ...rest, [name]: live } : rest;
  }

  #tick(): void {
    const scheduled = this.#status.some((s) => s.next_run_at !== null);
    this.#now = Date.now();
    if (scheduled && !this.#timer) this.#timer = setInterval(() => (this.#now = Date.now()), 1000);
    else if (!scheduled && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
