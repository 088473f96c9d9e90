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

export class Session {
  #engine: Engine;
  #network: Network;
  #election: Pick<TabElection, 'role' | 'start' | 'useHere' | 'stop'>;
  #status = $state<SessionStatus>('opening');
  #tab = $state<TabRole>('electing');
  #info = $state.raw<EngineInfo | null>(null);
  #error = $state.raw<string | null>(null);
  #busy = $state.raw<string | null>(null);
  #opens = 0;
  #firstOpen: Promise<void>;
  #firstOpened: () => void = () => undefined;
  /** Plain listeners, not reactive state: a callback list, not something the UI renders. */
  #resumed: (() => void)[] = [];

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
        if (role === 'waiting' || role === 'moved' || role === 'releasing') this.#status = 'elsewhere';
      },
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

  /** Calls `listener` each time this tab gets the database back after it was elsewhere; returns an unsubscribe. */
  onResume(listener: () => void): () => void {
    this.#resumed = [...this.#resumed, listener];
    return () => {
      this.#resumed = this.#resumed.filter((l) => l !== listener);
    };
  }

  async #acquire(): Promise<void> {
    this.#status = 'opening';
    this.#error = null;
    try {
      this.#info = await this.#engine.open();
      this.#status = 'ready';
      this.#opens += 1;
      performance.mark('dinobase:engine-ready');
      if (this.#opens > 1) for (const listener of this.#resumed) listener();
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      this.#status = 'failed';
    }
    this.#firstOpened();
  }

  /** Another tab asked for the database: stop using it, then checkpoint and close it in the worker. */
  async #release(): Promise<void> {
    this.#status = 'elsewhere';
    this.#info = null;
    this.#busy = null;
    await this.#engine.close();
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
