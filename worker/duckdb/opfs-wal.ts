// Keeps an OPFS database writable around DuckDB-WASM 1.32's WAL bugs: an unreplayable WAL, and an empty one.

/** OPFS releases a closed tab's access handles a moment after its worker dies; retry this long. */
const HANDLE_RETRY_MS = 5000;

/** The errors OPFS gives while another context still holds a file's access handle. */
export const HANDLE_BUSY =
  /access handle|NoModificationAllowed|createSyncAccessHandle|modification.*not allowed/i;

export async function retryWhileBusy<T>(task: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + HANDLE_RETRY_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 800)) {
    try {
      return await task();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!HANDLE_BUSY.test(message) || performance.now() + delay > deadline) throw error;
      await new Promise((done) => setTimeout(done, delay));
    }
  }
}

/**
 * What the WAL is set to instead of emptying it: one torn entry (its first field id is 0xFFFF, not the
 * entry type's 100). DuckDB skips a torn WAL as an interrupted write and starts a new log. An empty WAL
 * beside an existing database is worse than none: DuckDB-WASM 1.32 then opens the database but refuses
 * every commit ("File is not opened in write mode"), in this session and all later ones.
 */
export const TORN_WAL = new Uint8Array(16).fill(0xff);

function walName(path: string): string {
  return `${path.slice('opfs://'.length)}.wal`;
}

async function sizeOf(root: FileSystemDirectoryHandle, name: string): Promise<number | null> {
  const handle = await root.getFileHandle(name).catch(() => null);
  return handle ? (await handle.getFile()).size : null;
}

async function overwrite(handle: FileSystemFileHandle, bytes: Uint8Array): Promise<void> {
  const access = await retryWhileBusy(() => handle.createSyncAccessHandle());
  try {
    access.truncate(0);
    access.write(bytes, { at: 0 });
    access.flush();
  } finally {
    access.close();
  }
}

/**
 * Before DuckDB opens `path`: an empty WAL beside a non-empty database (left by an earlier version's
 * recovery, or by an interrupted write of the log itself) becomes a torn one, so the database is writable.
 * Returns whether it did.
 */
export async function healEmptyWal(path: string): Promise<boolean> {
  const root = await navigator.storage.getDirectory();
  const database = await sizeOf(root, path.slice('opfs://'.length));
  if (!database) return false;
  const wal = await root.getFileHandle(walName(path)).catch(() => null);
  if (!wal || (await wal.getFile()).size > 0) return false;
  await overwrite(wal, TORN_WAL);
  return true;
}

/**
 * Some WALs DuckDB-WASM 1.32 leaves in OPFS cannot be replayed, and the database would never open again:
 * its OPFS `removeFile` is a no-op, so a log DuckDB believes deleted survives; when it lags two checkpoints
 * behind, DuckDB replays its stale entries ("Schema with name "_dinobase" already exists!"). Every Dinobase
 * write checkpoints when it commits, so the database file already holds that work. The WAL is copied aside
 * (kept for recovery by hand) and replaced by a torn one; returns the copy's name.
 */
export async function setWalAside(path: string): Promise<string | null> {
  const root = await navigator.storage.getDirectory();
  const name = walName(path);
  const wal = await root.getFileHandle(name).catch(() => null);
  if (!wal) return null;
  const aside = `${name}.unreplayable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const bytes = new Uint8Array(await (await wal.getFile()).arrayBuffer());
  await overwrite(await root.getFileHandle(aside, { create: true }), bytes);
  await overwrite(wal, TORN_WAL);
  return aside;
}
