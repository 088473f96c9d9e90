// Engine lifecycle for the page: which tab owns the database, opening and handing it over, the network, sample data.
import type { EngineInfo, SampleProgress } from '../../worker/api.ts';
import { ConfigError } from '../../worker/errors.ts';
import { Comlink, type Engine } from '../lib/engine.ts';
import { TabElection, type TabElectionOptions, type TabRole } from '../lib/tabs.ts';
import { network as defaultNetwork, type Network } from './network.svelte.ts';

/** `elsewhere`: another tab of this browser holds the database (see `tab` for why). */
export type SessionStatus = 'opening' | 'ready' | 'elsewhere' | 'failed';

export interface SessionOptions {
  network?: Network;
  /** Builds the tab election; tests and the benchmark page replace it. */
  election?: (options: TabElectionOptions) => Pick<TabElection, 'role' | 'start' | 'useHere' | 'stop'>;
}

/**
 * Work a tab keeps outside the database (the editor's tabs, in localStorage) that the tab using the database
 * may change meanwhile: saved before this tab lets the database go, read again when it takes it (back).
 */
export interface KeptWork {
  /** Must write before its first `await`: on `pagehide` nothing asynchronous is sure to finish. */
  save(): Promise<void>;
  load(): Promise<void>;
}

export class Session {
  #engine: Engine;
  #network: Network;
  #election: Pick<TabElection, 'role' | 'start' | 'useHere' | 'stop'>;
  #status = $state<SessionStatus>('opening');
  #tab = $state<TabRole>('electing');
  #info = $state.raw<EngineInfo | null>(null);
  #error = $state.raw<string | null>(null);
  #busy = $state.raw<string | null>(null);
  #firstOpen: Promise<void>;
  #firstOpened: () => void = () => undefined;
  /** Plain listeners, not reactive state: callback lists, not something the UI renders. */
  #ready: (() => void)[] = [];
  #released: (() => void)[] = [];
  #kept: KeptWork[] = [];
  /** Another tab had the database since this tab last read its kept work. */
  #away = false;

  constructor(engine: Engine, options: SessionOptions = {}) {
    this.#engine = engine;
    this.#network = options.network ?? defaultNetwork;
    this.#firstOpen = new Promise((done) => (this.#firstOpened = done));
    const elect = options.election ?? ((o) => new TabElection(o));
    this.#election = elect({
      acquire: () => this.#acquire(),
      release: () => this.#release(),
      onRole: (role) => {
        this.#tab = role;
        // Opening is announced by #acquire; every other role means the database is not this tab's now.
        if (role === 'waiting' || role === 'moved' || role === 'releasing') {
          this.#status = 'elsewhere';
          this.#away = true;
        }
      },
    });
    // A tab closing or reloading hands the database on without a "release": save what it keeps first. Only
    // the owner's work is current; a waiting tab's copy is stale.
    if (typeof window !== 'undefined')
      window.addEventListener('pagehide', () => {
        if (this.#election.role === 'owner') void this.#save();
      });
  }

  get status() {
    return this.#status;
  }
  /** This tab's part in the election: `waiting`/`moved` show the "open in another tab" notice. */
  get tab() {
    return this.#tab;
  }
  get info() {
    return this.#info;
  }
  get error() {
    return this.#error;
  }
  /** What long-running action is in progress, for the status line. */
  get busy() {
    return this.#busy;
  }
  /** True while sync and write-back cannot reach the server (local queries still work). */
  get offline() {
    return this.#network.offline;
  }
  /** Why, as a sentence for a tooltip; null while online. */
  get offlineHint() {
    return this.#network.hint;
  }

  /**
   * Joins the tab election and resolves once this tab has opened the database (or failed to). In a tab
   * that another tab's database blocks, it resolves when that tab closes or hands it over ("Use here").
   */
  open(): Promise<void> {
    this.#network.start();
    this.#election.start();
    return this.#firstOpen;
  }

  /** "Use here": asks the tab that holds the database to checkpoint, close it and hand it over. */
  useHere(): void {
    this.#election.useHere();
  }

  /** Calls `listener` each time this tab has opened the database: first, and after getting it back. */
  onReady(listener: () => void): () => void {
    this.#ready = [...this.#ready, listener];
    return () => (this.#ready = this.#ready.filter((l) => l !== listener));
  }

  /** Calls `listener` each time this tab starts letting the database go to another tab. */
  onRelease(listener: () => void): () => void {
    this.#released = [...this.#released, listener];
    return () => (this.#released = this.#released.filter((l) => l !== listener));
  }

  /** Keeps `work` in step with the other tabs across every hand-over (see KeptWork). */
  keep(work: KeptWork): () => void {
    this.#kept = [...this.#kept, work];
    return () => (this.#kept = this.#kept.filter((w) => w !== work));
  }

  async #acquire(): Promise<void> {
    if (this.#away) {
      // The tab that had the database saved its work before letting go: show that, not what this tab read
      // when it opened (the app stays inert until then, so nothing typed here can be lost).
      this.#away = false;
      await Promise.all(this.#kept.map((w) => w.load().catch(() => undefined)));
    }
    this.#status = 'opening';
    this.#error = null;
    try {
      performance.mark('dinobase:engine-open');
      this.#info = await this.#engine.open();
      this.#status = 'ready';
      // The engine's own parts of the open ride along for `npm run bench` (P3).
      performance.mark('dinobase:engine-ready', { detail: this.#info.startup ?? null });
      for (const listener of this.#ready) listener();
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      this.#status = 'failed';
    }
    this.#firstOpened();
  }

  /** Another tab asked for the database: stop using it, save kept work, then checkpoint and close it in the worker. */
  async #release(): Promise<void> {
    this.#status = 'elsewhere';
    this.#info = null;
    this.#busy = null;
    for (const listener of this.#released) listener();
    await Promise.all([this.#save(), this.#engine.close()]);
  }

  #save(): Promise<void> {
    return Promise.all(this.#kept.map((w) => w.save().catch(() => undefined))).then(() => undefined);
  }

  /**
   * Loads the sample data. Sources holding synced data are replaced only when `confirmReplace`, asked with
   * the engine's sentence naming them, says yes; otherwise nothing is loaded.
   */
  async loadSample(confirmReplace: (held: string) => boolean): Promise<boolean> {
    this.#busy = 'Loading sample data…';
    this.#error = null;
    try {
      const onProgress = Comlink.proxy((p: SampleProgress) => {
        this.#busy = `Loading sample data: ${p.source}.${p.table} (${p.done}/${p.total})`;
      });
      const result = await this.#engine.loadSampleData({ onProgress }).catch((error: unknown) => {
        if (!(error instanceof ConfigError && error.code === 'would_replace')) throw error;
        return confirmReplace(error.message)
          ? this.#engine.loadSampleData({ replace: true, onProgress })
          : null;
      });
      this.#busy = null;
      return (result?.rows_loaded ?? 0) > 0;
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      this.#busy = null;
      return false;
    }
  }
}
