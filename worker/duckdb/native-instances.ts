// Native DuckDB instances: each created locked down (lockdown.ts), and one per database file and process, shared.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { NotReadyError } from '../errors.ts';
import { makePrivateDir } from '../home.ts';
import { lockdownTo } from './lockdown.ts';

/**
 * Every instance starts like a DuckDB-WASM one: no extension is ever fetched, and time is UTC (DuckDB-WASM
 * has no ICU, so its zone is always UTC; native DuckDB would take the machine's). The lockdown (lockdown.ts)
 * then locks the configuration, so these are set at creation.
 */
const INSTANCE_CONFIG = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
};

/**
 * Creates an instance and locks it down: SQL reaches only the database file (its WAL and spill directory)
 * and `fileDir`, where registerFile writes. Native DuckDB has httpfs autoloadable, so this is what keeps SQL
 * off the network here too.
 */
export async function createLocked(
  path: string,
  fileDir: string,
  options: Record<string, string> = {},
  exportDir?: string,
): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(path, { ...INSTANCE_CONFIG, ...options });
  const file = path === ':memory:' ? [] : [path, `${path}.wal`];
  const conn = await instance.connect();
  try {
    const directories = [
      `${fileDir}/`,
      ...(file.length ? [`${path}.tmp/`] : []),
      ...(exportDir ? [`${resolve(exportDir)}/`] : []),
    ];
    // TimeZone is ICU's option, unknown to the instance config until ICU has loaded.
    await conn.run("SET GLOBAL TimeZone = 'UTC'");
    for (const statement of lockdownTo({ paths: file, directories })) await conn.run(statement);
  } catch (error) {
    instance.closeSync();
    throw error;
  } finally {
    conn.closeSync();
  }
  return instance;
}

/** One DuckDB instance per file and process: DuckDB's lock is per process, so two would write one file unguarded. */
export interface SharedInstance {
  instance: DuckDBInstance;
  readOnly: boolean;
  users: number;
  /** The one directory SQL may read besides the database: registerFile writes there. */
  fileDir: string;
  /** The publisher's staging directory, when the instance was opened with one. */
  exportDir: string | undefined;
}
const instances = new Map<string, Promise<SharedInstance>>();

export async function acquire(path: string, readOnly: boolean, exportDir?: string): Promise<SharedInstance> {
  const known = instances.get(path);
  if (known) {
    const shared = await known;
    if (exportDir !== undefined && shared.exportDir !== resolve(exportDir)) {
      throw new NotReadyError(
        'locked',
        `The database ${path} is already open in this process without the export directory ${exportDir}; ` +
          'its lockdown cannot change once set, so open it with that directory first.',
      );
    }
    if (shared.readOnly !== readOnly) {
      throw new NotReadyError(
        'locked',
        `The database ${path} is already open ${shared.readOnly ? 'read-only' : 'for writing'} in this process.`,
      );
    }
    shared.users++;
    return shared;
  }
  const opening = (async () => {
    await makePrivateDir(dirname(path));
    const fileDir = await mkdtemp(join(tmpdir(), 'dinobase-files-'));
    try {
      const instance = await createLocked(
        path,
        fileDir,
        { access_mode: readOnly ? 'READ_ONLY' : 'READ_WRITE' },
        exportDir,
      );
      return { instance, readOnly, users: 1, fileDir, exportDir: exportDir && resolve(exportDir) };
    } catch (error) {
      await rm(fileDir, { recursive: true, force: true });
      throw error;
    }
  })();
  instances.set(path, opening);
  opening.catch(() => instances.delete(path));
  return opening;
}

export function release(path: string, shared: SharedInstance): void {
  if (--shared.users > 0) return;
  instances.delete(path);
  shared.instance.closeSync();
  void rm(shared.fileDir, { recursive: true, force: true });
}
