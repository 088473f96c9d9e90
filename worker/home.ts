// Dinobase's home in Node: $DINOBASE_HOME (default ~/.dinobase), a 0700 directory holding dinobase.duckdb (and the proxy's credentials.json).
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

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
