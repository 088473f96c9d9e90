// Query history records and their store: IndexedDB through idb-keyval, shared by every tab of the origin.
import { get, update, del } from 'idb-keyval';

export interface HistoryEntry {
  id: string;
  sql: string;
  /** Epoch milliseconds when the query finished. */
  at: number;
  elapsedMs: number;
  /** Rows returned, or null when the query failed or was a mutation preview. */
  rows: number | null;
  error: string | null;
}

/** Entries kept; older ones drop off. @default 500 */
export const HISTORY_LIMIT = 500;

export interface HistoryStore {
  load(): Promise<HistoryEntry[]>;
  /** Adds an entry with a read-modify-write, so two tabs appending at once both land. */
  add(entry: HistoryEntry): Promise<HistoryEntry[]>;
  clear(): Promise<void>;
}

/** Newest first; re-running the same SQL moves it to the top instead of repeating it. */
export function addEntry(list: HistoryEntry[], entry: HistoryEntry, limit = HISTORY_LIMIT): HistoryEntry[] {
  const sql = entry.sql.trim();
  return [entry, ...list.filter((e) => e.sql.trim() !== sql)].slice(0, limit);
}

function isEntry(value: unknown): value is HistoryEntry {
  return typeof value === 'object' && value !== null && 'sql' in value && typeof value.sql === 'string';
}

const KEY = 'dinobase:query-history';

export function idbHistoryStore(): HistoryStore {
  let latest: HistoryEntry[] = [];
  return {
    async load() {
      const stored: unknown = await get(KEY);
      return Array.isArray(stored) ? stored.filter(isEntry) : [];
    },
    async add(entry) {
      await update<unknown>(KEY, (old) => {
        latest = addEntry(Array.isArray(old) ? old.filter(isEntry) : [], entry);
        return latest;
      });
      return latest;
    },
    clear: () => del(KEY),
  };
}

export function memoryHistoryStore(initial: HistoryEntry[] = []): HistoryStore {
  let entries = initial;
  return {
    load: async () => entries,
    add: async (entry) => (entries = addEntry(entries, entry)),
    clear: async () => void (entries = []),
  };
}
