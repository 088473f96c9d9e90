// The credential store's file in Node: $DINOBASE_HOME/credentials.json (0600), replaced atomically.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { makePrivateDir } from '../worker/home.ts';
import type { StoreBackend } from './sources.ts';

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
