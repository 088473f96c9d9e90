// DuckDB-WASM in the browser: the single-threaded eh bundle in a nested worker, on an OPFS file, held by one tab.
import type { DuckDBDriver } from '../../common/duckdb-driver.ts';
import { NotReadyError, errorMessage } from '../errors.ts';
import { chunkPort, type FetchChunks } from './chunk-port.ts';
import { duckdb, wrapDuckDB } from './driver.ts';
import { healEmptyWal, retryWhileBusy, setWalAside } from './opfs-wal.ts';
import { duckdbWasmUrl, duckdbWorker } from './spawn.ts';
import type { DuckDatabase, OpenDuckDB, StartupTimings } from './types.ts';

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

/** The chunk port of each instance's worker (every worker `duckdbWorker` spawns has one). */
const chunkPorts = new WeakMap<duckdb.AsyncDuckDB, FetchChunks>();

/**
 * DuckDB-WASM started as the engine starts it, not yet opened, in `worker` if given (spawned by
 * `duckdbWorker`); `npm run bench` also uses it as its raw baseline.
 */
export async function instantiateDuckDB(worker?: Worker): Promise<duckdb.AsyncDuckDB> {
  const wasm = duckdbWasmUrl();
  const target = worker ?? duckdbWorker(wasm);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), target);
  try {
    await db.instantiate(wasm);
    chunkPorts.set(db, chunkPort(target));
    return db;
  } catch (error) {
    await db.terminate().catch(() => undefined);
    throw error;
  }
}

/**
 * Starts an instance as the engine's worker starts, before the page has loaded its bundle and elected the tab that
 * opens the database: the 34 MB compile is most of a start, and it touches no file. `start` begins (a worker may
 * spawn while the lock is looked up) and `skip` undoes that when another tab holds `path`: that tab keeps it, and
 * this one would hold an idle DuckDB for nothing. Resolves with null then, or when the prewarm failed (no error:
 * the open instantiates again and reports what fails then).
 */
export function prewarmUnlessHeld<T>(
  path: string,
  start: () => { instantiate(): Promise<T>; skip(): void },
): Promise<T | null> {
  return (async () => {
    const started = start();
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const held = locks ? ((await locks.query()).held ?? []) : [];
    if (!held.some((lock) => lock.name === fileLockName(path))) return started.instantiate();
    started.skip();
    return null;
  })().catch(() => null);
}

/** DuckDB instantiated before anyone asked to open it (prewarmDuckDB), or null if skipped; the next open takes it. */
let prewarmed: Promise<duckdb.AsyncDuckDB | null> | null = null;

/**
 * Instantiates DuckDB's worker as the engine's worker starts (see prewarmUnlessHeld), in `spawned` if the entry
 * spawned it already (worker/main.ts does, before this module and duckdb-wasm's library load).
 */
export function prewarmDuckDB(path: string = DEFAULT_PATH, spawned?: Worker): void {
  prewarmed ??= prewarmUnlessHeld(path, () => {
    // Spawned before the lock lookup (25–100 ms on a loaded machine): DuckDB's worker compiles its wasm meanwhile.
    const worker = spawned ?? duckdbWorker(duckdbWasmUrl());
    return { instantiate: () => instantiateDuckDB(worker), skip: () => worker.terminate() };
  });
}

function fileLockName(path: string): string {
  return `dinobase:${path}`;
}

/** Takes the file's lock and makes its WAL safe to open (see opfs-wal.ts); resolves with the lock's release. */
async function claimFile(path: string): Promise<() => void> {
  const release = await acquireFileLock(fileLockName(path));
  try {
    if (await healEmptyWal(path))
      console.warn(
        'Dinobase: the database had an empty WAL, which DuckDB-WASM would open read-only; it now has a torn one.',
      );
    return release;
  } catch (error) {
    release();
    throw error;
  }
}

/** What opening a database differs in between DuckDB-WASM's two browser drivers (`T` is one DuckDB instance). */
export interface BrowserDriver<T> {
  /** Named in the startup timings. */
  name: StartupTimings['driver'];
  /** The prewarmed instance if there is one, else a new one. */
  take(): Promise<T>;
  instantiate(): Promise<T>;
  open(instance: T, options: { path: string; persistent: boolean }): Promise<void>;
  /** Gives up an instance that will not be wrapped; its OPFS handles are released when this resolves. */
  dispose(instance: T): Promise<void>;
  wrap(
    instance: T,
    options: { path: string; persistent: boolean; startup: StartupTimings; onClose: () => void },
  ): Promise<DuckDatabase>;
}

/**
 * Opens `path` with `driver`: instantiating touches no file, so it overlaps taking the file (the previous owner's
 * checkpoint and close, and the WAL check); `instantiate_ms` is the wait for both. A WAL DuckDB cannot replay is
 * set aside and a fresh instance opens the database at its last checkpoint (see opfs-wal.ts).
 */
export function openOnOPFS<T>(driver: BrowserDriver<T>): OpenDuckDB {
  return async ({ path }) => {
    const persistent = path.startsWith('opfs://');
    const started = performance.now();
    const [instance, claim] = await Promise.allSettled([
      driver.take(),
      persistent ? claimFile(path) : Promise.resolve(() => undefined),
    ]);
    if (instance.status === 'rejected' || claim.status === 'rejected') {
      if (instance.status === 'fulfilled') await driver.dispose(instance.value).catch(() => undefined);
      if (claim.status === 'fulfilled') claim.value();
      throw instance.status === 'rejected' ? instance.reason : (claim as PromiseRejectedResult).reason;
    }
    let db = instance.value;
    const release = claim.value;
    const instantiated = performance.now();
    const open = (target: T) => retryWhileBusy(() => driver.open(target, { path, persistent }));
    try {
      try {
        await open(db);
      } catch (error) {
        if (!persistent || !WAL_REPLAY_FAILED.test(errorMessage(error))) throw error;
        await driver.dispose(db);
        const aside = await setWalAside(path);
        console.warn(
          `Dinobase: ${errorMessage(error)} The WAL was copied to ${aside} and set aside; the database reopened ` +
            'at its last checkpoint, which holds every committed Dinobase write.',
        );
        db = await driver.instantiate();
        await open(db);
      }
      const startup = {
        driver: driver.name,
        instantiate_ms: instantiated - started,
        open_ms: performance.now() - instantiated,
      };
      return await driver.wrap(db, { path, persistent, startup, onClose: release });
    } catch (error) {
      await driver.dispose(db).catch(() => undefined);
      release();
      throw error;
    }
  };
}

/**
 * Starts `driver`'s prewarm as the engine's worker starts and returns its open (`spawned`: DuckDB's worker, if
 * the entry spawned it for the async driver). The blocking driver's module (its bindings, 1.2 MB) loads only
 * when it is chosen.
 */
export function startDuckDB(driver: DuckDBDriver, spawned?: Worker): OpenDuckDB {
  if (driver === 'async') {
    prewarmDuckDB(DEFAULT_PATH, spawned);
    return (options) => openDuckDB(options);
  }
  const blocking = import('./blocking-browser.ts');
  void blocking.then(({ prewarmBlockingDuckDB }) => prewarmBlockingDuckDB()).catch(() => undefined);
  return async (options) => (await blocking).openBlockingDuckDB(options);
}

/** DuckDB-WASM's async bindings: DuckDB in its own worker, terminated to give up an instance and its handles. */
export const openDuckDB: OpenDuckDB = openOnOPFS<duckdb.AsyncDuckDB>({
  name: 'async',
  async take() {
    const taken = prewarmed;
    prewarmed = null;
    return (await taken) ?? instantiateDuckDB();
  },
  instantiate: () => instantiateDuckDB(),
  open: (db, { path, persistent }) =>
    db.open({
      path,
      accessMode: persistent ? duckdb.DuckDBAccessMode.READ_WRITE : undefined,
      query: { castBigIntToDouble: false, castDecimalToDouble: false },
    }),
  dispose: (db) => db.terminate(),
  wrap: (db, options) =>
    wrapDuckDB(db, { ...options, fileHandles: 'filereader', fetchChunks: chunkPorts.get(db) }),
});
