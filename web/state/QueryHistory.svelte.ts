// Query history for the history panel: every run, newest first, kept across reloads.
import { idbHistoryStore, memoryHistoryStore, type HistoryEntry, type HistoryStore } from '../lib/history.ts';

export class QueryHistory {
  #store: HistoryStore;
  #entries = $state.raw<HistoryEntry[]>([]);
  #loaded = $state(false);
  filter = $state('');
  /** Entries whose SQL contains every word of the filter, case-insensitively. */
  readonly visible = $derived.by(() => {
    const words = this.filter.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return this.#entries;
    return this.#entries.filter((e) => words.every((w) => e.sql.toLowerCase().includes(w)));
  });

  constructor(
    store: HistoryStore = typeof indexedDB !== 'undefined' ? idbHistoryStore() : memoryHistoryStore(),
  ) {
    this.#store = store;
  }

  get entries() {
    return this.#entries;
  }
  get loaded() {
    return this.#loaded;
  }

  async load(): Promise<void> {
    try {
      this.#entries = await this.#store.load();
    } finally {
      this.#loaded = true;
    }
  }

  async add(entry: Omit<HistoryEntry, 'id' | 'at'>): Promise<void> {
    const full: HistoryEntry = {
      ...entry,
      id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
      at: Date.now(),
    };
    this.#entries = [full, ...this.#entries.filter((e) => e.sql.trim() !== entry.sql.trim())];
    try {
      this.#entries = await this.#store.add(full);
    } catch {
      // IndexedDB can be unavailable (private mode quotas); the in-memory list still works for this visit.
    }
  }

  async clear(): Promise<void> {
    this.#entries = [];
    await this.#store.clear();
  }
}
