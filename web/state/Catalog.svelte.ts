// The sidebar's model: sources with their tables, and per-table descriptions fetched on demand (kept fresh while open).
import { SvelteSet } from 'svelte/reactivity';
import type { CatalogSource, TableDescription } from '../../worker/api.ts';
import type { Engine } from '../lib/engine.ts';

export class Catalog {
  #engine: Engine;
  #sources = $state.raw<CatalogSource[]>([]);
  #descriptions = $state.raw<Record<string, TableDescription | { error: string }>>({});
  #expanded = new SvelteSet<string>();
  #loading = $state(false);
  #loaded = $state(false);
  #error = $state.raw<string | null>(null);
  /** Not reactive: counts refresh() calls, so only the latest one's answer is kept. */
  #runs = 0;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  get sources() {
    return this.#sources;
  }
  get loading() {
    return this.#loading;
  }
  /** The engine answered once (with sources or an error): until then an empty list means "not known yet". */
  get loaded() {
    return this.#loaded;
  }
  get error() {
    return this.#error;
  }
  isExpanded(key: string): boolean {
    return this.#expanded.has(key);
  }
  description(key: string): TableDescription | { error: string } | undefined {
    return this.#descriptions[key];
  }

  async refresh(): Promise<void> {
    const run = ++this.#runs;
    this.#loading = true;
    try {
      const { sources } = await this.#engine.listSources();
      // Refreshes overlap (each finished sync asks for one): an older answer must not replace a newer one.
      if (run !== this.#runs) return;
      this.#sources = sources;
      this.#error = null;
      // Columns may have changed (a sync, a restore): re-read the open tables, forget the rest.
      const open = [...this.#expanded].filter((key) => key.includes('.'));
      const fresh = await Promise.all(open.map((table) => this.#engine.describeTable({ table })));
      this.#descriptions = Object.fromEntries(open.map((key, i) => [key, fresh[i]!]));
    } catch (error) {
      if (run === this.#runs) this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      if (run === this.#runs) {
        this.#loading = false;
        this.#loaded = true;
      }
    }
  }

  /** Renames a `files` table and refreshes; the engine's reason (taken name, bad name) or null. */
  async renameFileTable(from: string, to: string): Promise<string | null> {
    return this.#change(() => this.#engine.renameFileTable({ from, to }), `files.${from}`);
  }

  /** Drops a `files` table with its file row and refreshes; the engine's reason or null. */
  async removeFileTable(table: string): Promise<string | null> {
    return this.#change(() => this.#engine.removeFileTable({ table }), `files.${table}`);
  }

  async #change(call: () => Promise<unknown>, key: string): Promise<string | null> {
    try {
      await call();
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    // The old name is gone: forget its open state, so a later table of that name starts closed.
    this.#expanded.delete(key);
    await this.refresh();
    return null;
  }

  async toggle(key: string): Promise<void> {
    if (this.#expanded.has(key)) {
      this.#expanded.delete(key);
      return;
    }
    this.#expanded.add(key);
    if (key.includes('.') && !this.#descriptions[key]) {
      const description = await this.#engine.describeTable({ table: key });
      this.#descriptions = { ...this.#descriptions, [key]: description };
    }
  }
}
