// DuckDB-WASM in the browser: the single-threaded eh bundle in a nested worker, on an OPFS file, held by one tab.
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { NotReadyError, errorMessage } from '../errors.ts';
import { duckdb, wrapDuckDB } from './driver.ts';
import { healEmptyWal, retryWhileBusy, setWalAside } from './opfs-wal.ts';
import type { OpenDuckDB } from './types.ts';

export const DEFAULT_PATH = 'opfs://dinobase.duckdb';

export function defaultPath(): string {
  return DEFAULT_PATH;
}

/** How long to wait for the tab that had the file to let go of it (a reload or a "Use here" handover). */
const LOCK_WAIT_MS = 10_000;
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

/** How DuckDB reports a WAL it cannot replay (see opfs-wal.ts). */
const WAL_REPLAY_FAILED = /Failure while replaying WAL/i;

/**
 * DuckDB's worker, loaded without `TransformStream`. With it, duckdb-wasm pipes the wasm response through a
 * progress stream, and V8 never code-caches a synthesized Response, so every start compiled 34 MB again
 * (~1.3 s). Without it, duckdb-wasm streams the fetch itself, which Chromium caches compiled.
 */
function duckdbWorker(): Worker {
  const script = new URL(ehWorkerUrl, location.href).href;
  const source = `self.TransformStream = undefined; importScripts(${JSON.stringify(script)});`;
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}

async function instantiate(): Promise<duckdb.AsyncDuckDB> {
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), duckdbWorker());
  try {
    await db.instantiate(new URL(ehWasmUrl, location.href).href);
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
    if (persistent) {
      release = await acquireFileLock(`dinobase:${path}`);
      if (await healEmptyWal(path))
        console.warn(
          'Dinobase: the database had an empty WAL, which DuckDB-WASM would open read-only; it now has a torn one.',
        );
    }
    try {
      await open(db);
    } catch (error) {
      if (!persistent || !WAL_REPLAY_FAILED.test(errorMessage(error))) throw error;
      await db.terminate();
      const aside = await setWalAside(path);
      console.warn(
        `Dinobase: ${errorMessage(error)} The WAL was copied to ${aside} and set aside; the database reopened ` +
          'at its last checkpoint, which holds every committed Dinobase write.',
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
