// DuckDB-WASM in the browser: the single-threaded eh bundle in a nested worker, on an OPFS file, held by one tab.
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { NotReadyError } from '../errors.ts';
import { duckdb, wrapDuckDB } from './driver.ts';
import type { OpenDuckDB } from './types.ts';

export const DEFAULT_PATH = 'opfs://dinobase.duckdb';

const LOCK_WAIT_MS = 4000;

/**
 * OPFS sync access handles are exclusive (duckdb-wasm #2111), so one tab owns the file. The lock is
 * released when the worker dies; a reload can briefly overlap, hence the wait instead of ifAvailable.
 */
async function acquireTabLock(name: string): Promise<() => void> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return () => undefined;
  return new Promise((resolve, reject) => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((done) => (release = done));
    locks
      .request(name, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => {
        resolve(release);
        return held;
      })
      .catch(() =>
        reject(
          new NotReadyError(
            'locked',
            `The database "${name}" is open in another tab of this browser. Close that tab (or use it) and reload: ` +
              'OPFS lets only one tab write a database file.',
          ),
        ),
      );
  });
}

export const openDuckDB: OpenDuckDB = async ({ path }) => {
  const persistent = path.startsWith('opfs://');
  const release = persistent ? await acquireTabLock(`dinobase:${path}`) : () => undefined;
  try {
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(ehWorkerUrl));
    await db.instantiate(ehWasmUrl);
    await db.open({
      path,
      accessMode: persistent ? duckdb.DuckDBAccessMode.READ_WRITE : undefined,
      query: { castBigIntToDouble: false, castDecimalToDouble: false },
    });
    return await wrapDuckDB(db, { path, persistent, onClose: release });
  } catch (error) {
    release();
    throw error;
  }
};
