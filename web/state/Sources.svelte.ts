// Sources for the page: what the proxy holds credentials for, adding and removing them, and syncing via the relay.
import type { ConnectorInfo, SyncProgress, SyncResult } from '../../worker/api.ts';
import { Comlink, type Engine } from '../lib/engine.ts';
import {
  deleteCredentials,
  listProxySources,
  saveCredentials,
  type SourceInput,
  type SourceSummary,
} from '../lib/proxy.ts';

export interface NewSource extends SourceInput {
  name: string;
}

export class Sources {
  #engine: Engine;
  #list = $state.raw<SourceSummary[]>([]);
  #connectors = $state.raw<ConnectorInfo[]>([]);
  #results = $state.raw<Record<string, SyncResult>>({});
  #progress = $state.raw<string | null>(null);
  #syncing = $state.raw<string | null>(null);
  #error = $state.raw<string | null>(null);

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  get list() {
    return this.#list;
  }
  get connectors() {
    return this.#connectors;
  }
  get results() {
    return this.#results;
  }
  get progress() {
    return this.#progress;
  }
  /** The source being synced now, if any. */
  get syncing() {
    return this.#syncing;
  }
  get error() {
    return this.#error;
  }
  get sandboxes() {
    return this.#list.filter((s) => s.sandbox);
  }

  /** Reads the proxy's sources and registers each usable one with the engine, so it can be synced and queried. */
  async refresh(): Promise<void> {
    try {
      const [list, connectors] = await Promise.all([listProxySources(), this.#engine.listConnectors()]);
      this.#connectors = connectors;
      const registered = Object.fromEntries((await this.#engine.getSources()).map((s) => [s.name, s.type]));
      for (const source of list) {
        if (registered[source.name] !== source.type)
          await this.#engine.addSource({ name: source.name, type: source.type });
      }
      this.#list = list;
    } catch (error) {
      this.#error = `Could not list the sources: ${message(error)}`;
    }
  }

  /** Sends the credentials to the proxy (never kept in the page), then registers the source with the engine. */
  async add(source: NewSource): Promise<boolean> {
    this.#error = null;
    try {
      const { name, ...input } = source;
      const saved = await saveCredentials(name, input);
      await this.#engine.addSource({ name: saved.name, type: saved.type });
      await this.refresh();
      return true;
    } catch (error) {
      this.#error = message(error);
      return false;
    }
  }

  /** Forgets the stored credentials and the synced tables. */
  async remove(name: string): Promise<void> {
    this.#error = null;
    try {
      const source = this.#list.find((s) => s.name === name);
      if (source?.origin === 'file') await deleteCredentials(name);
      await this.#engine.removeSource({ name, dropData: true });
      const { [name]: _dropped, ...rest } = this.#results;
      this.#results = rest;
      await this.refresh();
    } catch (error) {
      this.#error = message(error);
    }
  }

  async sync(name: string): Promise<SyncResult | null> {
    if (this.#syncing) return null;
    this.#syncing = name;
    this.#error = null;
    try {
      // Progress calls are fire-and-forget messages; late ones must not outlive the sync they describe.
      const onProgress = Comlink.proxy((p: SyncProgress) => {
        if (this.#syncing !== p.source || p.phase === 'done') return;
        this.#progress = `Syncing ${p.source}.${p.resource}: ${p.phase} (${p.rows.toLocaleString()} rows)`;
      });
      const result = await this.#engine.sync({ name, onProgress });
      this.#results = { ...this.#results, [name]: result };
      return result;
    } catch (error) {
      this.#error = message(error);
      return null;
    } finally {
      this.#progress = null;
      this.#syncing = null;
    }
  }

  /** Syncs the given sources one after another (the sandboxes by default). */
  async syncAll(names = this.sandboxes.map((s) => s.name)): Promise<void> {
    for (const name of names) await this.sync(name);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
