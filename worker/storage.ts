// Backup (the closed database file), restore (a backup copied in by DuckDB) and wipe; the file lives behind DatabaseFiles (OPFS in the browser).
import type { DinobaseDB, OfflineControl } from './db.ts';
import type { DuckConnection } from './duckdb/index.ts';
import { ConfigError, NotReadyError, errorMessage } from './errors.ts';
import { quoteIdent as quote, sqlValue } from './sql.ts';
import { tableToRows } from './values.ts';

/** The database file and its write-ahead log, as bytes. Only used while DuckDB has the file closed. */
export interface DatabaseFiles {
  /** The file's name, e.g. `dinobase.duckdb`. */
  readonly name: string;
  read(): Promise<Uint8Array>;
  /** Deletes the file and its `.wal`; missing files are fine. */
  remove(): Promise<void>;
}

/** What `PRAGMA database_size` reports, plus the same figures in bytes. */
export interface DatabaseSize {
  database_name: string;
  /** DuckDB's own rendering, e.g. "1.2 MiB". */
  database_size: string;
  block_size: number;
  total_blocks: number;
  used_blocks: number;
  free_blocks: number;
  wal_size: string;
  memory_usage: string;
  memory_limit: string;
  /** `total_blocks × block_size`: the file's size on disk. */
  bytes: number;
  /** `used_blocks × block_size`. */
  used_bytes: number;
  persistent: boolean;
}

export interface BackupFile {
  bytes: Uint8Array;
  /** A name to save it under, e.g. `dinobase-2026-06-01T10-30-00Z.duckdb`. */
  file_name: string;
  size: number;
}

export interface RestoreResult {
  /** Bytes of the backup. */
  size: number;
  /** User schemas in the restored database. */
  schemas: string[];
}

/** Every DuckDB database file starts with an 8-byte checksum, then the magic "DUCK". */
export function isDuckDBFile(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4096 && String.fromCharCode(...bytes.subarray(8, 12)) === 'DUCK';
}

/** The OPFS file name of an `opfs://` path, or null for any other (in-memory) database. */
export function opfsFileName(path: string): string | null {
  const match = /^opfs:\/\/(.+)$/.exec(path);
  return match ? match[1]! : null;
}

async function databaseSize(db: DinobaseDB): Promise<DatabaseSize> {
  const [row] = tableToRows(await (await db.conn).query('SELECT * FROM pragma_database_size()'));
  if (!row) throw new NotReadyError('not_ready', 'DuckDB reported no database size.');
  const num = (key: string) => Number(row[key] ?? 0);
  const text = (key: string) => String(row[key] ?? '');
  return {
    database_name: text('database_name'),
    database_size: text('database_size'),
    block_size: num('block_size'),
    total_blocks: num('total_blocks'),
    used_blocks: num('used_blocks'),
    free_blocks: num('free_blocks'),
    wal_size: text('wal_size'),
    memory_usage: text('memory_usage'),
    memory_limit: text('memory_limit'),
    bytes: num('total_blocks') * num('block_size'),
    used_bytes: num('used_blocks') * num('block_size'),
    persistent: (await db.database()).persistent,
  };
}

/** DuckDB's name for the attached backup while it is copied in. */
const SOURCE = 'dinobase_restore_source';

/** Drops every schema of the open database but `main` (and its tables and views), for a restore or a wipe. */
async function dropAll(conn: DuckConnection): Promise<void> {
  const rows = (sql: string) => conn.query(sql).then((t) => tableToRows(t));
  const schemas = await rows(`SELECT schema_name FROM duckdb_schemas()
    WHERE database_name = current_database() AND NOT internal AND schema_name <> 'main'`);
  for (const { schema_name } of schemas)
    await conn.query(`DROP SCHEMA ${quote(String(schema_name))} CASCADE`);
  const views = await rows(`SELECT view_name FROM duckdb_views()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal`);
  for (const { view_name } of views) await conn.query(`DROP VIEW main.${quote(String(view_name))}`);
  const tables = await rows(`SELECT table_name FROM duckdb_tables()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal`);
  for (const { table_name } of tables)
    await conn.query(`DROP TABLE main.${quote(String(table_name))} CASCADE`);
}

/** Attaches `file` read-only and replaces the open database's contents with it, all or nothing. */
async function replaceFrom(conn: DuckConnection, file: string): Promise<void> {
  try {
    await conn.query(`ATTACH ${sqlValue(file)} AS ${SOURCE} (READ_ONLY)`);
  } catch (error) {
    throw new ConfigError(
      'invalid_argument',
      `The backup could not be opened, so nothing changed: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  try {
    const [row] = tableToRows(await conn.query('SELECT current_database() AS name'));
    await conn.query('BEGIN TRANSACTION');
    try {
      await dropAll(conn);
      await conn.query(`COPY FROM DATABASE ${SOURCE} TO ${quote(String(row?.name))}`);
      await conn.query('COMMIT');
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw new ConfigError(
        'invalid_argument',
        `The backup could not be copied in, so nothing changed: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  } finally {
    await conn.query(`DETACH ${SOURCE}`).catch(() => undefined);
  }
}

function backupName(now: number): string {
  return `dinobase-${new Date(now).toISOString().slice(0, 19).replaceAll(':', '-')}Z.duckdb`;
}

export interface StorageOptions {
  /** The database's files; null when it has none (in memory), which makes backup, restore and clear refuse. */
  files: DatabaseFiles | null;
  /**
   * Runs before DuckDB is closed and after it is back (stopping the scheduler, interrupting queries); it
   * may throw to refuse, e.g. while a sync runs.
   */
  quiesce?: () => Promise<() => void>;
}

/** Backup, restore and "clear all data" for one DinobaseDB. */
export class DatabaseStorage {
  #db: DinobaseDB;
  #files: DatabaseFiles | null;
  #quiesce: NonNullable<StorageOptions['quiesce']>;
  #restores = 0;

  constructor(db: DinobaseDB, options: StorageOptions) {
    this.#db = db;
    this.#files = options.files;
    this.#quiesce = options.quiesce ?? (async () => () => undefined);
  }

  size(): Promise<DatabaseSize> {
    return databaseSize(this.#db);
  }

  /** Checkpoints, closes DuckDB, reads the file, reopens. */
  async backup(): Promise<BackupFile> {
    const files = this.#persistentFiles('back up');
    const bytes = await this.#offline(async ({ reopen }) => {
      const read = await files.read();
      await reopen();
      return read;
    });
    return { bytes, file_name: backupName(this.#db.clock.now()), size: bytes.byteLength };
  }

  /**
   * Replaces all data with the backup in `bytes` (a DuckDB file, e.g. from `backup`): DuckDB attaches it
   * read-only and copies it in with `COPY FROM DATABASE`, in one transaction with dropping the current
   * schemas, then the migrations run. A file that does not open, or does not copy, changes nothing.
   *
   * Swapping the file itself is not an option: DuckDB-WASM opens a database file without its own WAL
   * read-only ("File is not opened in write mode", duckdb-wasm #1990).
   */
  async restore(bytes: Uint8Array): Promise<RestoreResult> {
    const size = bytes.byteLength;
    if (!isDuckDBFile(bytes)) {
      throw new ConfigError(
        'invalid_argument',
        `Not a DuckDB database file (${size.toLocaleString('en-US')} bytes, no "DUCK" header at byte 8). Choose a .duckdb file saved by "Download backup".`,
      );
    }
    const resume = await this.#quiesce();
    try {
      const database = await this.#db.database();
      const file = `dinobase-restore-${++this.#restores}.duckdb`;
      const path = await database.registerFile(file, bytes);
      try {
        await this.#db.exclusive((conn) => replaceFrom(conn, path));
      } finally {
        await database.dropFile(file).catch(() => undefined);
      }
      await this.#db.migrate();
      await this.#db.checkpoint();
    } finally {
      resume();
    }
    return { size, schemas: await this.#db.getSchemas() };
  }

  /**
   * Deletes everything: on OPFS the database file itself (so its space is freed) and opens an empty, migrated
   * one; in memory, every schema.
   */
  async clear(): Promise<void> {
    const files = this.#files;
    if (files) {
      await this.#offline(async ({ reopen }) => {
        await files.remove();
        await reopen();
      });
      return;
    }
    const resume = await this.#quiesce();
    try {
      await this.#db.transaction((conn) => dropAll(conn));
      await this.#db.migrate();
    } finally {
      resume();
    }
  }

  #persistentFiles(action: string): DatabaseFiles {
    if (!this.#files) {
      throw new NotReadyError(
        'not_persistent',
        `Cannot ${action} an in-memory database: only the browser's OPFS database has a file to save or replace.`,
      );
    }
    return this.#files;
  }

  async #offline<T>(task: (control: OfflineControl) => Promise<T>): Promise<T> {
    const resume = await this.#quiesce();
    try {
      return await this.#db.offline(task);
    } finally {
      resume();
    }
  }
}
