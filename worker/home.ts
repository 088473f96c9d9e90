// Dinobase's home in Node: $DINOBASE_HOME (default ~/.dinobase), a 0700 directory with dinobase.duckdb and credentials.json (0600).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StoreBackend } from '../proxy/sources.ts';

/** The home directory the CLI, the library and the proxy share. */
export function defaultHome(env: Record<string, string | undefined> = process.env): string {
  return resolve(env.DINOBASE_HOME || join(homedir(), '.dinobase'));
}

/** The database `new DinobaseDB()` opens in Node. */
export function defaultDatabasePath(env: Record<string, string | undefined> = process.env): string {
  return join(defaultHome(env), 'dinobase.duckdb');
}

/** Creates `dir` (and missing parents) readable by this user only; an existing directory is left as it is. */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** credentials.json, replaced atomically (write a 0600 temp file, fsync, rename) inside a 0700 directory. */
export function fileBackend(home: string): StoreBackend {
  const path = join(home, 'credentials.json');
  return {
    location: path,
    async read() {
      if (!existsSync(path)) return null;
      // A file someone loosened by hand is tightened again: it holds API keys.
      if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
      return readFile(path, 'utf8');
    },
    async write(text) {
      await makePrivateDir(home);
      const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path).catch(async (error: unknown) => {
        await unlink(temp).catch(() => undefined);
        throw error;
      });
    },
  };
}
