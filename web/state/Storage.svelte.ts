// The Settings page's storage: database size, the browser's quota and persistence, and backup / restore / clear.
import type { DatabaseSize } from '../../worker/api.ts';
import { Comlink, type Engine } from '../lib/engine.ts';

export interface Estimate {
  usage: number;
  quota: number;
}

export class Storage {
  #engine: Engine;
  #size = $state.raw<DatabaseSize | null>(null);
  #estimate = $state.raw<Estimate | null>(null);
  #persisted = $state.raw<boolean | null>(null);
  #loaded = $state(false);
  #busy = $state.raw<string | null>(null);
  #error = $state.raw<string | null>(null);
  #notice = $state.raw<string | null>(null);
  #changed: () => unknown;

  /** `onchanged` runs after a restore or a clear replaced the data, to re-read everything on screen. */
  constructor(engine: Engine, onchanged: () => unknown = () => undefined) {
    this.#engine = engine;
    this.#changed = onchanged;
  }

  get size() {
    return this.#size;
  }
  /** `navigator.storage.estimate()`: what this site uses of what the browser allows it. */
  get estimate() {
    return this.#estimate;
  }
  /** Whether the browser promised not to evict this site's data; null where the API is missing. */
  get persisted() {
    return this.#persisted;
  }
  /** The figures were read once: until then `estimate` and `persisted` are unknown, not unsupported. */
  get loaded() {
    return this.#loaded;
  }
  /** The action in progress ("Saving a backup…"), if any. */
  get busy() {
    return this.#busy;
  }
  get error() {
    return this.#error;
  }
  get notice() {
    return this.#notice;
  }

  async refresh(): Promise<void> {
    const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    const [size, estimate, persisted] = await Promise.allSettled([
      this.#engine.databaseSize(),
      storage?.estimate ? storage.estimate() : Promise.reject(new Error('unsupported')),
      storage?.persisted ? storage.persisted() : Promise.reject(new Error('unsupported')),
    ]);
    if (size.status === 'fulfilled') this.#size = size.value;
    else this.#error = `Could not read the database size: ${message(size.reason)}`;
    this.#estimate =
      estimate.status === 'fulfilled'
        ? { usage: estimate.value.usage ?? 0, quota: estimate.value.quota ?? 0 }
        : null;
    this.#persisted = persisted.status === 'fulfilled' ? persisted.value : null;
    this.#loaded = true;
  }

  /** Asks the browser to keep this site's data under storage pressure; it may say no (Chromium decides by engagement). */
  async persist(): Promise<void> {
    this.#error = null;
    try {
      this.#persisted = await navigator.storage.persist();
      this.#notice = this.#persisted
        ? 'The browser will keep this data until you delete it.'
        : 'The browser declined for now. It grants this to sites you use often, or that are installed or bookmarked.';
    } catch (error) {
      this.#error = message(error);
    }
  }

  /** The whole database as a DuckDB file, for the caller to save; null when it failed (see `error`). */
  async backup(): Promise<{ bytes: Uint8Array; fileName: string } | null> {
    return this.#run('Saving a backup…', async () => {
      const file = await this.#engine.backup();
      this.#notice = `Backup ready: ${file.file_name}.`;
      return { bytes: file.bytes, fileName: file.file_name };
    });
  }

  /** Replaces all data with the backup in `file`. */
  async restore(file: File): Promise<boolean> {
    const done = await this.#run(`Restoring ${file.name}…`, async () => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const result = await this.#engine.restore(Comlink.transfer({ bytes }, [bytes.buffer]));
      const schemas = result.schemas.length ? result.schemas.join(', ') : 'no sources';
      this.#notice = `Restored ${file.name} (${schemas}).`;
      return true;
    });
    if (done) await this.#changed();
    return done === true;
  }

  /** Deletes the database and starts an empty one. */
  async clear(): Promise<boolean> {
    const done = await this.#run('Deleting all data…', async () => {
      await this.#engine.clearAllData();
      this.#notice = 'All data was deleted.';
      return true;
    });
    if (done) await this.#changed();
    return done === true;
  }

  async #run<T>(label: string, task: () => Promise<T>): Promise<T | null> {
    if (this.#busy) return null;
    this.#busy = label;
    this.#error = null;
    this.#notice = null;
    try {
      return await task();
    } catch (error) {
      this.#error = message(error);
      return null;
    } finally {
      this.#busy = null;
      await this.refresh();
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
