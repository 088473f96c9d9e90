// DatabaseFiles on the origin private file system, for the engine's dedicated worker (sync access handles).
import { NotReadyError, errorMessage } from './errors.ts';
import type { DatabaseFiles } from './storage.ts';

const RELEASE_WAIT_MS = 5000;

/**
 * DuckDB's own worker held the file through a sync access handle; after it is terminated the handle is
 * released shortly, not at once, so operations that need the file retry for a few seconds.
 */
async function whenReleased<T>(name: string, task: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + RELEASE_WAIT_MS;
  for (;;) {
    try {
      return await task();
    } catch (error) {
      const locked =
        error instanceof DOMException &&
        (error.name === 'NoModificationAllowedError' || error.name === 'InvalidStateError');
      if (!locked) throw error;
      if (Date.now() > deadline) {
        throw new NotReadyError(
          'locked',
          `"${name}" is still open (${errorMessage(error)}); close other tabs of this app and try again.`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function removeIfExists(dir: FileSystemDirectoryHandle, name: string): Promise<void> {
  await whenReleased(name, async () => {
    try {
      await dir.removeEntry(name);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
    }
  });
}

/** The database file `name` (and `name.wal`) in the OPFS root, where DuckDB-WASM keeps `opfs://name`. */
export function opfsFiles(name: string): DatabaseFiles {
  const root = () => navigator.storage.getDirectory();
  return {
    name,
    async read() {
      const handle = await (await root()).getFileHandle(name);
      // An exclusive handle proves DuckDB let go of the file, so the bytes are complete.
      const access = await whenReleased(name, () => handle.createSyncAccessHandle());
      try {
        const bytes = new Uint8Array(access.getSize());
        let offset = 0;
        while (offset < bytes.byteLength) {
          const n = access.read(bytes.subarray(offset), { at: offset });
          if (n === 0) break;
          offset += n;
        }
        return bytes;
      } finally {
        access.close();
      }
    },
    async remove() {
      const dir = await root();
      await removeIfExists(dir, name);
      await removeIfExists(dir, `${name}.wal`);
    },
  };
}
