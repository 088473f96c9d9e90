// Sync state for the page: the proxy's built-in sandbox sources, syncing them, and each source's last result.
import type { SyncProgress, SyncResult } from '../../worker/api.ts';
import { Comlink, type Engine } from '../lib/engine.ts';

/** A sandbox source the server offers: public demo keys for its fake API, never real credentials. */
export interface DemoSource {
  name: string;
  type: string;
  base_url: string;
  credentials: Record<string, string>;
}

export class Syncing {
  #engine: Engine;
  #demo = $state.raw<DemoSource[]>([]);
  #results = $state.raw<Record<string, SyncResult>>({});
  #progress = $state.raw<string | null>(null);
  #active = $state(false);
  #error = $state.raw<string | null>(null);

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  get demo() {
    return this.#demo;
  }
  get results() {
    return this.#results;
  }
  get progress() {
    return this.#progress;
  }
  get active() {
    return this.#active;
  }
  get error() {
    return this.#error;
  }

  async loadDemo(): Promise<void> {
    try {
      const response = await fetch('/api/demo-sources');
      if (!response.ok) throw new Error(`The server answered ${response.status} for /api/demo-sources`);
      this.#demo = ((await response.json()) as { sources: DemoSource[] }).sources;
    } catch (error) {
      this.#error = `Could not list the demo sources: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** Registers and syncs every demo source, one after another. */
  async syncDemo(): Promise<void> {
    if (this.#active) return;
    this.#active = true;
    this.#error = null;
    try {
      for (const source of this.#demo) {
        // The server lists sandbox paths; the worker needs absolute URLs on this origin.
        const base = `${location.origin}/${source.base_url.replace(/^\//, '')}`;
        await this.#engine.addSource({ name: source.name, type: source.type, base_url: base });
        // Progress calls are fire-and-forget messages; late ones must not outlive the sync they describe.
        const onProgress = Comlink.proxy((p: SyncProgress) => {
          if (!this.#active || p.phase === 'done') return;
          this.#progress = `Syncing ${p.source}.${p.resource}: ${p.phase} (${p.rows.toLocaleString()} rows)`;
        });
        const result = await this.#engine.sync({
          name: source.name,
          credentials: source.credentials,
          onProgress,
        });
        this.#results = { ...this.#results, [source.name]: result };
      }
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      this.#progress = null;
      this.#active = false;
    }
  }
}
