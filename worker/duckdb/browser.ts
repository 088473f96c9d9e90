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

/** duckdb-wasm's console warning when it instantiates without TransformStream, which we do on purpose. */
const NO_PROGRESS_WARNING = 'instantiating without progress handler since transform streams are unavailable';

/**
 * Runs in DuckDB's worker before duckdb-wasm loads (serialised into its script, so it may use nothing from
 * this module). Defence in depth beside the SQL lockdown (lockdown.ts): the worker may fetch its wasm and
 * nothing else, and has no XMLHttpRequest, which is how duckdb-wasm's runtime reads http(s):// and s3:// files
 * and how extensions would arrive.
 *
 * Without `TransformStream`, duckdb-wasm fetches the wasm itself instead of piping it through a progress
 * stream into a synthesized Response, which V8 never code-caches (every start compiled 34 MB again, ~1.3 s);
 * it then warns once on every load, which says nothing to anyone here.
 */
function duckdbWorkerPrelude(wasm: string, silenced: string): void {
  const scope = self as unknown as Record<string, unknown>;
  scope.TransformStream = undefined;
  scope.XMLHttpRequest = undefined;
  const fetchOnce = self.fetch.bind(self);
  self.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : new URL(String(input), self.location.href).href;
    if (url === wasm) return fetchOnce(input, init);
    return Promise.reject(new TypeError(`DuckDB's worker fetches nothing but its wasm, not ${url}`));
  };
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (args[0] !== silenced) warn(...args);
  };
}

/** The one URL DuckDB's wasm is fetched from, so the service worker, HTTP cache and V8's code cache all apply. */
export function duckdbWasmUrl(): string {
  return new URL(ehWasmUrl, location.href).href;
}

/** DuckDB's nested worker, fenced by the prelude above; exported for the bare start-up page of `npm run bench`. */
export function duckdbWorker(wasm: string): Worker {
  const script = new URL(ehWorkerUrl, location.href).href;
  const prelude = `(${duckdbWorkerPrelude.toString()})(${JSON.stringify(wasm)}, ${JSON.stringify(NO_PROGRESS_WARNING)});`;
  const source = `${prelude}\nimportScripts(${JSON.stringify(script)});`;
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}

/**
 * DuckDB-WASM started as the engine starts it, not yet opened, in `worker` if given (spawned by
 * `duckdbWorker`); `npm run bench` also uses it as its raw baseline.
 */
export async function instantiateDuckDB(worker?: Worker): Promise<duckdb.AsyncDuckDB> {
  const wasm = duckdbWasmUrl();
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker ?? duckdbWorker(wasm));
  try {
    await db.instantiate(wasm);
    return db;
  } catch (error) {
    await db.terminate().catch(() => undefined);
    throw error;
  }
}

/** DuckDB instantiated before anyone asked to open it (prewarmDuckDB), or null if skipped; the next open takes it. */
let prewarmed: Promise<duckdb.AsyncDuckDB | null> | null = null;

/**
 * Starts instantiating DuckDB as the engine's worker starts, before the page has loaded its bundle and elected
 * the tab that opens the database: the 34 MB compile is most of a start, and it touches no file. Skipped when
 * another tab holds `path` (that tab keeps it; this one would hold an idle DuckDB for nothing).
 */
export function prewarmDuckDB(path: string = DEFAULT_PATH): void {
  prewarmed ??= (async () => {
    // Spawned before the lock lookup (25–100 ms on a loaded machine): DuckDB's worker loads its script meanwhile.
    const worker = duckdbWorker(duckdbWasmUrl());
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const held = locks ? ((await locks.query()).held ?? []) : [];
    if (!held.some((lock) => lock.name === fileLockName(path))) return instantiateDuckDB(worker);
    worker.terminate();
    return null;
  })()
    // A failed prewarm is no error: the open instantiates again and reports what fails then.
    .catch(() => null);
}

async function takePrewarmed(): Promise<duckdb.AsyncDuckDB> {
  const taken = prewarmed;
  prewarmed = null;
  return (await taken) ?? instantiateDuckDB();
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

export const openDuckDB: OpenDuckDB = async ({ path }) => {
  const persistent = path.startsWith('opfs://');
  const started = performance.now();
  // Instantiating touches no file, so it overlaps taking the file: the previous owner's checkpoint and close, and
  // the WAL check. `instantiate_ms` is the wait for both.
  const [instance, claim] = await Promise.allSettled([
    takePrewarmed(),
    persistent ? claimFile(path) : Promise.resolve(() => undefined),
  ]);
  if (instance.status === 'rejected' || claim.status === 'rejected') {
    if (instance.status === 'fulfilled') await instance.value.terminate().catch(() => undefined);
    if (claim.status === 'fulfilled') claim.value();
    throw instance.status === 'rejected' ? instance.reason : (claim as PromiseRejectedResult).reason;
  }
  let db = instance.value;
  const release = claim.value;
  const instantiated = performance.now();
  const open = (target: duckdb.AsyncDuckDB) =>
    retryWhileBusy(() =>
      target.open({
        path,
        accessMode: persistent ? duckdb.DuckDBAccessMode.READ_WRITE : undefined,
        query: { castBigIntToDouble: false, castDecimalToDouble: false },
      }),
    );
  try {
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
      db = await instantiateDuckDB();
      await open(db);
    }
    const startup = { instantiate_ms: instantiated - started, open_ms: performance.now() - instantiated };
    return await wrapDuckDB(db, { path, persistent, startup, fileHandles: 'filereader', onClose: release });
  } catch (error) {
    await db.terminate().catch(() => undefined);
    release();
    throw error;
  }
};
