// DuckDB-WASM in the browser: the single-threaded eh bundle in a nested worker, on an OPFS file, held by one tab.
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { NotReadyError, errorMessage } from '../errors.ts';
import { duckdb, wrapDuckDB } from './driver.ts';
import type { OpenDuckDB } from './types.ts';

export const DEFAULT_PATH = 'opfs://dinobase.duckdb';

/** How long to wait for the tab that had the file to let go of it (a reload or a "Use here" handover). */
const LOCK_WAIT_MS = 10_000;
/** OPFS releases a closed tab's access handles a moment after its worker dies; retry this long. */
const HANDLE_RETRY_MS = 5000;

/**
 * The page's tab election (web/lib/tabs.ts) decides which tab opens the database; this lock is the last
 * guard of the file itself, because OPFS sync access handles are exclusive (duckdb-wasm #2111). It is
 * held by this worker until the database closes or the worker dies.
 */
async function acquireFileLock(name: string): Promise<() => void> {
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
            `The database "${name}" is open in another tab of this browser, which did not let go of it. ` +
              'Close that tab (or click "Use here" in this one): OPFS lets only one tab write a database file.',
          ),
        ),
      );
  });
}

/** The errors OPFS gives while another context still holds a file's access handle. */
const HANDLE_BUSY = /access handle|NoModificationAllowed|createSyncAccessHandle|modification.*not allowed/i;

async function retryWhileBusy<T>(task: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + HANDLE_RETRY_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 800)) {
    try {
      return await task();
    } catch (error) {
      if (!HANDLE_BUSY.test(errorMessage(error)) || performance.now() + delay > deadline) throw error;
      await new Promise((done) => setTimeout(done, delay));
    }
  }
}

/**
 * Some WALs DuckDB-WASM 1.32 leaves in OPFS cannot be replayed, and the database would never open again:
 * - a fresh database closed before its first checkpoint: replaying the `_dinobase` migrations fails on the
 *   `DEFAULT nextval(...)` columns ("GetDefaultDatabase with no default database set"; worker/tab-engine.ts
 *   checkpoints on open so this no longer happens);
 * - a WAL that was never shortened after a checkpoint (duckdb-wasm 1.32's OPFS `removeFile` is a no-op):
 *   when it lags two checkpoints behind, DuckDB replays its stale entries ("... already exists").
 * As a last resort: every Dinobase write checkpoints when it commits, so the database file already holds
 * that work. The WAL is copied aside (kept for recovery by hand), emptied, and the open retried.
 */
const WAL_REPLAY_FAILED = /Failure while replaying WAL/i;

async function moveWalAside(path: string): Promise<string | null> {
  const root = await navigator.storage.getDirectory();
  const name = `${path.slice('opfs://'.length)}.wal`;
  const wal = await root.getFileHandle(name).catch(() => null);
  if (!wal) return null;
  const aside = `${name}.unreplayable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const access = await retryWhileBusy(() => wal.createSyncAccessHandle());
  try {
    const bytes = new Uint8Array(access.getSize());
    access.read(bytes, { at: 0 });
    const copy = await (await root.getFileHandle(aside, { create: true })).createSyncAccessHandle();
    try {
      copy.write(bytes, { at: 0 });
      copy.flush();
    } finally {
      copy.close();
    }
    // Emptied rather than deleted: an empty WAL is "no WAL" to DuckDB, and the file keeps its place.
    access.truncate(0);
    access.flush();
  } finally {
    access.close();
  }
  return aside;
}

async function instantiate(): Promise<duckdb.AsyncDuckDB> {
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(ehWorkerUrl));
  try {
    await db.instantiate(ehWasmUrl);
    return db;
  } catch (error) {
    await db.terminate().catch(() => undefined);
    throw error;
  }
}

export const openDuckDB: OpenDuckDB = async ({ path }) => {
  const persistent = path.startsWith('opfs://');
  const started = performance.now();
  // Instantiating touches no file, so it overlaps the previous owner's checkpoint and close.
  let db = await instantiate();
  const instantiated = performance.now();
  let release: () => void = () => undefined;
  const open = (target: duckdb.AsyncDuckDB) =>
    retryWhileBusy(() =>
      target.open({
        path,
        accessMode: persistent ? duckdb.DuckDBAccessMode.READ_WRITE : undefined,
        query: { castBigIntToDouble: false, castDecimalToDouble: false },
      }),
    );
  try {
    if (persistent) release = await acquireFileLock(`dinobase:${path}`);
    try {
      await open(db);
    } catch (error) {
      if (!persistent || !WAL_REPLAY_FAILED.test(errorMessage(error))) throw error;
      await db.terminate();
      const aside = await moveWalAside(path);
      // Reads work again; DuckDB-WASM may still refuse writes to this file (duckdb-wasm #1990), which
      // Settings → Download backup, Clear all data, Restore turns back into a writable database.
      console.warn(
        `Dinobase: ${errorMessage(error)} The WAL was copied to ${aside} and emptied; the database reopened ` +
          'at its last checkpoint. If writes now fail, download a backup, clear all data and restore it.',
      );
      db = await instantiate();
      await open(db);
    }
    const startup = { instantiate_ms: instantiated - started, open_ms: performance.now() - instantiated };
    return await wrapDuckDB(db, { path, persistent, startup, onClose: release });
  } catch (error) {
    await db.terminate().catch(() => undefined);
    release();
    throw error;
  }
};
