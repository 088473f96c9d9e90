// The server's source list as last seen: kept after every answer and served while the server cannot be reached.
import { get, set } from 'idb-keyval';
import { DinobaseError } from '../../worker/errors.ts';
import { listProxySources, type SourceSummary } from './proxy.ts';

export interface KnownSources {
  sources: SourceSummary[];
  /** The server could not be reached: `sources` is the last list it gave here (empty if it never answered). */
  offline: boolean;
  /** When `sources` came from the server (ISO); null if it never answered in this browser. */
  savedAt: string | null;
}

/** Where the last list is kept; idb-keyval's IndexedDB store in the browser. */
export interface KnownSourcesStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export interface KnownSourcesOptions {
  /** @default GET /api/sources */
  list?: () => Promise<SourceSummary[]>;
  /** @default IndexedDB (idb-keyval) */
  store?: KnownSourcesStore;
  /** Told when the server did not answer (the page's Network re-checks at once). */
  onUnreachable?: () => void;
  now?: () => Date;
}

const KEY = 'dinobase:server-sources';

interface Saved {
  sources: SourceSummary[];
  saved_at: string;
}

function isSaved(value: unknown): value is Saved {
  if (typeof value !== 'object' || value === null) return false;
  const { sources, saved_at } = value as Record<string, unknown>;
  return Array.isArray(sources) && typeof saved_at === 'string';
}

/**
 * The server's sources, or, when it cannot be reached (offline, or stopped), the last ones it listed with
 * `offline: true`: to this app being offline is a normal state, not an error. An answer that is an error
 * (the server is there and refused) is thrown as before.
 */
export async function listKnownSources(options: KnownSourcesOptions = {}): Promise<KnownSources> {
  const store = options.store ?? { get, set };
  try {
    const sources = await (options.list ?? listProxySources)();
    const saved: Saved = { sources, saved_at: (options.now?.() ?? new Date()).toISOString() };
    await store.set(KEY, saved).catch(() => undefined);
    return { sources, offline: false, savedAt: saved.saved_at };
  } catch (error) {
    if (!(error instanceof DinobaseError && error.code === 'network_error')) throw error;
    options.onUnreachable?.();
    const saved: unknown = await store.get(KEY).catch(() => undefined);
    return isSaved(saved)
      ? { sources: saved.sources, offline: true, savedAt: saved.saved_at }
      : { sources: [], offline: true, savedAt: null };
  }
}
