// DinobaseDB: the seed's database class on DuckDB (WASM or native), owning the connection and the `_dinobase` metadata.
import type { Table } from 'apache-arrow';
import { systemClock, toSqlTimestamp, type Clock } from './clock.ts';
import {
  defaultPath,
  openDuckDB,
  type DuckConnection,
  type DuckDatabase,
  type OpenDuckDB,
  type Param,
  type RunOptions,
} from './duckdb/index.ts';
import { OpenConnections } from './connections.ts';
import { QueryError } from './errors.ts';
import {
  getColumnAnnotations,
  updateTableMetadata,
  type Annotations,
  type ColumnAnnotation,
} from './meta/catalog.ts';
import {
  INTERNAL_SCHEMA_NAMES,
  SCRATCH_SCHEMA,
  STAGING_SCHEMA,
  migrate,
  prepareOnOpen,
} from './meta/migrations.ts';
import {
  addSource,
  getSource,
  getSources,
  removeSource,
  type SourceConfig,
  type StoredSource,
} from './meta/sources.ts';
import { qualified } from './sql.ts';
import { tableToArrays, tableToRows, type JsonRow, type JsonValue } from './values.ts';

export type { Annotations, ColumnAnnotation } from './meta/catalog.ts';

/** Schemas that hold no source: Dinobase's, DuckDB's and the user's scratch. */
const NOT_SOURCES = [...INTERNAL_SCHEMA_NAMES, SCRATCH_SCHEMA];

export interface ColumnInfo {
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
}

export interface SyncEndOptions {
  tablesSynced?: number;
  rowsSynced?: number;
  errorMessage?: string | null;
}

/** What `offline` hands its task: reopen to check the database, close to undo that. */
export interface OfflineControl {
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export interface DinobaseDBOptions {
  /** Opens DuckDB; defaults to the platform's (OPFS in the browser, native DuckDB files in Node). */
  open?: OpenDuckDB;
  clock?: Clock;
  /** Open the file for reading only (Node), e.g. beside a process that reads it too. */
  readOnly?: boolean;
}

export class DinobaseDB {
  readonly path: string;
  readonly clock: Clock;
  #open: OpenDuckDB;
  #readOnly: boolean;
  #database: Promise<DuckDatabase> | null = null;
  /** The open database once it resolved, to see synchronously whether it broke. */
  #current: DuckDatabase | null = null;
  #conn: Promise<DuckConnection> | null = null;
  #connections = new OpenConnections();
  #writeLock: Promise<unknown> = Promise.resolve();
  #generation = 0;
  /** Set while the database is closed for `offline`; everything else waits for it. */
  #offline: Promise<void> | null = null;

  /** `path` defaults to the OPFS file in the browser and `$DINOBASE_HOME/dinobase.duckdb` in Node. */
  constructor(path: string = defaultPath(), options: DinobaseDBOptions = {}) {
    this.path = path;
    this.#open = options.open ?? openDuckDB;
    this.#readOnly = options.readOnly ?? false;
    this.clock = options.clock ?? systemClock;
  }

  /** The database, opened and migrated on first use; while it is offline (see `offline`), once it is back. */
  database(): Promise<DuckDatabase> {
    if (this.#offline) return this.#offline.then(() => this.database());
    this.dropIfBroken();
    return this.#openDatabase();
  }

  #openDatabase(): Promise<DuckDatabase> {
    this.#database ??= this.#open({ path: this.path, readOnly: this.#readOnly }).then(
      (database) => (this.#current = database),
      (error: unknown) => {
        this.#database = null;
        throw error;
      },
    );
    return this.#database;
  }

  /**
   * A database that broke (DuckDB-WASM crashed, or its worker was terminated to stop a statement it could not
   * interrupt) is closed here, so the next caller opens a fresh one instead of failing forever.
   */
  dropIfBroken(): void {
    if (!this.#current?.broken) return;
    this.#current = null;
    void this.close().catch(() => undefined);
  }

  /** The metadata connection, created (and the `_dinobase` schema migrated) on first access. */
  get conn(): Promise<DuckConnection> {
    this.dropIfBroken();
    this.#conn ??= this.#openConn(() => this.database());
    return this.#conn;
  }

  #openConn(database: () => Promise<DuckDatabase>): Promise<DuckConnection> {
    return (async () => {
      const conn = await (await database()).connect();
      await prepareOnOpen(conn, this.clock, { readOnly: this.#readOnly });
      return conn;
    })().catch((error: unknown) => {
      this.#conn = null;
      throw error;
    });
  }

  /**
   * Another connection to the same database, for work that must not share a transaction or a cancel. The
   * caller closes it; until then it counts in `openConnections`. It comes after the migrations unless
   * `migrated: false`: reads that touch no `_dinobase` table (the user's first query) need only the open and
   * its lockdown, and so reach DuckDB ahead of the migration check instead of behind it.
   */
  async connect(options: { migrated?: boolean } = {}): Promise<DuckConnection> {
    if (options.migrated !== false) await this.conn;
    return this.#connections.track(await (await this.database()).connect());
  }

  /** Connections `connect()` handed out on the open database and nobody closed yet. */
  get openConnections(): number {
    return this.#connections.size;
  }

  async run(sql: string, params?: readonly Param[], options?: RunOptions): Promise<Table> {
    const conn = await this.conn;
    return params && params.length > 0 ? conn.queryParams(sql, params) : conn.query(sql, options);
  }

  async query(sql: string, params?: readonly Param[], options?: RunOptions): Promise<JsonRow[]> {
    return tableToRows(await this.run(sql, params, options));
  }

  async queryRaw(sql: string, params?: readonly Param[]): Promise<[string[], JsonValue[][]]> {
    const table = await this.run(sql, params);
    return [table.schema.fields.map((f) => f.name), tableToArrays(table)];
  }

  /**
   * Runs `task` alone among this object's writers. Writers share one connection, so a transaction
   * must not interleave with another writer's statements.
   */
  exclusive<T>(task: (conn: DuckConnection) => Promise<T>): Promise<T> {
    const run = this.#writeLock.then(async () => task(await this.conn));
    this.#writeLock = run.catch(() => undefined);
    return run;
  }

  /** Runs `task` in one transaction on the metadata connection; rolls back on failure. */
  transaction<T>(task: (conn: DuckConnection) => Promise<T>): Promise<T> {
    return this.exclusive(async (conn) => {
      await conn.query('BEGIN TRANSACTION');
      try {
        const result = await task(conn);
        await conn.query('COMMIT');
        return result;
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Forces committed work into the database file; without it OPFS loses rows on a browser restart. */
  async checkpoint(): Promise<void> {
    const db = await this.database();
    if (!db.persistent) return;
    try {
      await this.exclusive((conn) => conn.query('CHECKPOINT'));
    } catch (error) {
      // Another connection's write transaction is open; its own commit path checkpoints afterwards.
      if (!/other .*transactions?/i.test(String(error))) throw error;
    }
  }

  now(): string {
    return toSqlTimestamp(this.clock.now());
  }

  /** The source schemas (scratch is not one: catalog.ts adds it where the user's tables are listed). */
  async getSchemas(): Promise<string[]> {
    const rows = await this.query(
      `SELECT schema_name FROM information_schema.schemata
       WHERE catalog_name = current_database() AND schema_name NOT IN (${NOT_SOURCES.map(() => '?').join(', ')})
       ORDER BY schema_name`,
      NOT_SOURCES,
    );
    return rows.map((r) => String(r.schema_name));
  }

  async getTables(schema: string): Promise<string[]> {
    const rows = await this.query(
      `SELECT table_name FROM information_schema.tables
       WHERE table_catalog = current_database() AND table_schema = ? ORDER BY table_name`,
      [schema],
    );
    return rows.map((r) => String(r.table_name));
  }

  async getColumns(schema: string, table: string): Promise<ColumnInfo[]> {
    const rows = await this.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?
       ORDER BY ordinal_position`,
      [schema, table],
    );
    return rows.map((r) => ({
      column_name: String(r.column_name),
      data_type: String(r.data_type),
      is_nullable: r.is_nullable === 'NO' ? 'NO' : 'YES',
    }));
  }

  async tableExists(schema: string, table: string): Promise<boolean> {
    return (await this.getTables(schema)).includes(table);
  }

  async getRowCount(schema: string, table: string): Promise<number> {
    if (!(await this.tableExists(schema, table))) {
      throw new QueryError('not_found', `Table "${schema}.${table}" does not exist.`);
    }
    const [row] = await this.query(`SELECT COUNT(*) AS n FROM ${qualified(schema, table)}`);
    return Number(row?.n ?? 0);
  }

  /** Records a running sync and returns its id, drawn from a sequence so ids are never reused. */
  async logSyncStart(sourceName: string, sourceType: string): Promise<number> {
    const rows = await this.exclusive(async (conn) =>
      tableToRows(
        await conn.queryParams(
          `INSERT INTO _dinobase.sync_log (connector_name, connector_type, started_at, status)
           VALUES (?, ?, ?::TIMESTAMP, 'running') RETURNING id`,
          [sourceName, sourceType, this.now()],
        ),
      ),
    );
    return Number(rows[0]?.id);
  }

  async logSyncEnd(id: number, status: string, options: SyncEndOptions = {}): Promise<void> {
    await this.exclusive((conn) =>
      conn.queryParams(
        `UPDATE _dinobase.sync_log SET finished_at = ?::TIMESTAMP, status = ?, tables_synced = ?,
           rows_synced = ?, error_message = ? WHERE id = ?`,
        [
          this.now(),
          status,
          options.tablesSynced ?? 0,
          options.rowsSynced ?? 0,
          options.errorMessage ?? null,
          id,
        ],
      ),
    );
    await this.checkpoint();
  }

  /** Epoch ms of the source's last successful sync, or null if it never synced. */
  async getLastSync(sourceName: string): Promise<number | null> {
    const [row] = await this.query(
      `SELECT epoch_ms(MAX(finished_at)) AS t FROM _dinobase.sync_log WHERE connector_name = ? AND status = 'success'`,
      [sourceName],
    );
    return row?.t == null ? null : Number(row.t);
  }

  /**
   * Refreshes `_dinobase.tables` and `_dinobase.columns` from the live schema; an annotation set by `annotate`
   * survives it (see worker/meta/catalog.ts).
   */
  updateTableMetadata(sourceName: string, schemaName: string, annotations: Annotations = {}): Promise<void> {
    return updateTableMetadata(this, sourceName, schemaName, annotations);
  }

  /** `{column: {description, note}}` for the columns that carry either. */
  getColumnAnnotations(schema: string, table: string): Promise<Record<string, ColumnAnnotation>> {
    return getColumnAnnotations(this, schema, table);
  }

  /** Registers or updates a source (never its credentials). */
  addSource(config: SourceConfig): Promise<StoredSource> {
    return addSource(this, config);
  }

  removeSource(name: string, options?: { dropData?: boolean }): Promise<boolean> {
    return removeSource(this, name, options);
  }

  getSources(): Promise<StoredSource[]> {
    return getSources(this);
  }

  getSource(name: string): Promise<StoredSource | null> {
    return getSource(this, name);
  }

  /** Runs pending migrations (after a restore brought an older `_dinobase`) and clears leftover staging. */
  async migrate(): Promise<void> {
    await this.exclusive(async (conn) => {
      await migrate(conn, this.clock);
      await conn.query(`DROP SCHEMA IF EXISTS ${STAGING_SCHEMA} CASCADE`);
    });
  }

  /** Counts closes: a connection taken under an older generation belongs to a closed database. */
  get generation(): number {
    return this.#generation;
  }

  async close(): Promise<void> {
    this.#generation++;
    const database = this.#database;
    this.#database = null;
    this.#current = null;
    this.#conn = null;
    // Connections of the closed database are dead; closing one later only forgets it.
    this.#connections = new OpenConnections();
    if (database) await (await database).close();
  }

  /**
   * Takes the database offline for `task` (a backup, a restore, a wipe): waits for running writers,
   * checkpoints, closes DuckDB (releasing its file), and runs `task` while every other caller waits. The
   * task may `reopen()` the database itself to check it (migrations run); otherwise the next caller
   * reopens it. Connections taken before are dead afterwards.
   */
  offline<T>(task: (control: OfflineControl) => Promise<T>): Promise<T> {
    let back!: () => void;
    const gate = new Promise<void>((resolve) => (back = resolve));
    const run = this.#writeLock.then(async () => {
      if (this.#database && (await this.#database.catch(() => null))?.persistent) {
        await (await this.conn).query('CHECKPOINT');
      }
      this.#offline = gate;
      try {
        await this.close();
        return await task({
          reopen: async () => {
            this.#conn = this.#openConn(() => this.#openDatabase());
            await this.#conn;
          },
          close: () => this.close(),
        });
      } finally {
        this.#offline = null;
        back();
      }
    });
    this.#writeLock = run.catch(() => undefined);
    return run;
  }
}
