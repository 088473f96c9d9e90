// Loads normalised tables into DuckDB through Arrow staging tables: merge, replace or append, with schema evolution.
import type { Table } from 'apache-arrow';
import type { DuckConnection } from '../duckdb/index.ts';
import { STAGING_SCHEMA } from '../meta/migrations.ts';
import { qualified, quoteIdent, sqlValue } from '../sql.ts';
import { tableToRows } from '../values.ts';
import type { NormalizedTable } from './normalize.ts';
import { Stager, type StagedTable } from './stager.ts';
import { parseSqlType, resolved, sameType, sqlType, widen } from './types.ts';

export type WriteDisposition = 'merge' | 'replace' | 'append';

export interface LoadItem {
  /** A root table and its child tables, as one resource normalised them. */
  tables: Map<string, NormalizedTable>;
  root: string;
  disposition: WriteDisposition;
}

export interface LoadResult {
  /** Rows written per table. */
  rows: Record<string, number>;
}

/** Every table's columns in `schema`, in one catalog query: table → (column → DuckDB type). */
async function schemaCatalog(
  conn: DuckConnection,
  schema: string,
): Promise<Map<string, Map<string, string>>> {
  const rows = tableToRows(
    await conn.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = ${sqlValue(schema)} ORDER BY ordinal_position`,
    ),
  );
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const table = String(r.table_name);
    if (!out.has(table)) out.set(table, new Map());
    out.get(table)!.set(String(r.column_name), String(r.data_type));
  }
  return out;
}

export interface CommitItem {
  root: string;
  disposition: WriteDisposition;
}

/**
 * Moves staged tables into `schema` (which exists). Runs inside StagedLoad's transaction, so every table (and
 * the caller's sync state) becomes visible together or not at all. DDL comes first because DuckDB refuses to
 * ALTER a table already written in the same transaction.
 */
async function commitStaged(
  conn: DuckConnection,
  schema: string,
  stager: Stager,
  items: CommitItem[],
  replaceAll = false,
  recreate = false,
): Promise<LoadResult> {
  await stager.flush();
  if (recreate) return recreateStaged(conn, schema, stager, items);
  const catalog = await schemaCatalog(conn, schema);
  const families = items.map((item) => ({
    item,
    staged: [...stager.staged.values()].filter(
      (t) => t.name === item.root || t.name.startsWith(`${item.root}__`),
    ),
  }));
  for (const { staged } of families) {
    for (const table of staged) {
      const current = catalog.get(table.name);
      if (current) await evolve(conn, qualified(schema, table.name), table, current);
    }
  }
  for (const { item, staged } of families) {
    // Pages can overlap at a cursor boundary: keep the last copy of each record.
    if (item.disposition === 'merge') {
      for (const table of staged.filter((t) => t.duplicates)) {
        const t = qualified(STAGING_SCHEMA, table.staging);
        await conn.query(
          `DELETE FROM ${t} WHERE rowid NOT IN (SELECT max(rowid) FROM ${t} GROUP BY _dlt_id)`,
        );
      }
    }
    const disposition = replaceAll ? 'replace' : item.disposition;
    await clearSuperseded(conn, schema, { ...item, disposition }, stager, [...catalog.keys()]);
  }
  if (replaceAll) {
    const written = new Set(families.flatMap(({ staged }) => staged.map((t) => t.name)));
    for (const name of catalog.keys()) {
      if (!written.has(name)) await conn.query(`DELETE FROM ${qualified(schema, name)}`);
    }
  }
  const rows: Record<string, number> = {};
  for (const { staged } of families) {
    for (const table of staged) {
      const target = qualified(schema, table.name);
      const source = stager.source(table);
      if (catalog.has(table.name)) await conn.query(`INSERT INTO ${target} BY NAME SELECT * FROM ${source}`);
      else await conn.query(`CREATE TABLE ${target} AS SELECT * FROM ${source}`);
      rows[table.name] = Number(
        tableToRows(await conn.query(`SELECT count(*) AS n FROM ${source}`))[0]?.n ?? 0,
      );
      // Staging files are deleted when the load closes.
      if (!table.files) await conn.query(`DROP TABLE ${source}`);
    }
  }
  return { rows };
}

/** Each committed table becomes its staged copy whole, types included (pulled team data: the publisher's schema). */
async function recreateStaged(
  conn: DuckConnection,
  schema: string,
  stager: Stager,
  items: CommitItem[],
): Promise<LoadResult> {
  const rows: Record<string, number> = {};
  for (const item of items) {
    const table = stager.staged.get(item.root);
    if (!table) continue;
    const target = qualified(schema, table.name);
    const source = qualified(STAGING_SCHEMA, table.staging);
    await conn.query(`DROP TABLE IF EXISTS ${target}`);
    await conn.query(`CREATE TABLE ${target} AS SELECT * FROM ${source}`);
    rows[table.name] = table.rows;
    await conn.query(`DROP TABLE ${source}`);
  }
  return { rows };
}

/** Adds new columns and widens changed ones on the target table. */
async function evolve(
  conn: DuckConnection,
  target: string,
  table: StagedTable,
  current: Map<string, string>,
) {
  for (const [name, incoming] of table.columns) {
    const existing = current.get(name);
    if (existing === undefined) {
      await conn.query(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(name)} ${sqlType(incoming)}`);
      continue;
    }
    const parsed = parseSqlType(existing) ?? 'VARCHAR';
    const merged = resolved(widen(parsed, incoming));
    if (!sameType(merged, parsed)) {
      await conn.query(`ALTER TABLE ${target} ALTER COLUMN ${quoteIdent(name)} TYPE ${sqlType(merged)}`);
    }
  }
}

/** Removes what the new data supersedes: all rows (replace), or the rows of re-fetched records (merge). */
async function clearSuperseded(
  conn: DuckConnection,
  schema: string,
  item: CommitItem,
  stager: Stager,
  existing: string[],
) {
  if (item.disposition === 'append') return;
  const root = stager.staged.get(item.root);
  const family = existing.filter((name) => name === item.root || name.startsWith(`${item.root}__`));
  for (const name of family) {
    const target = qualified(schema, name);
    if (item.disposition === 'replace') {
      await conn.query(`DELETE FROM ${target}`);
    } else if (root) {
      const ids = `SELECT _dlt_id FROM ${stager.source(root)}`;
      const key = name === item.root ? '_dlt_id' : '_dlt_root_id';
      await conn.query(`DELETE FROM ${target} WHERE ${quoteIdent(key)} IN (${ids})`);
    }
  }
}

/** Where a load gets its own connection, which it closes when it ends. */
export type Connect = () => Promise<DuckConnection>;

export interface CommitOptions {
  /** Runs inside the transaction after the tables moved (sync cursors, sample markers): all or nothing. */
  within?: (conn: DuckConnection) => Promise<void>;
  /**
   * Empties every table of the schema first, including tables this load does not write: the data there is
   * replaced whole (sample data by a sync, synced data by the sample), never mixed with the new rows.
   */
  replaceAll?: boolean;
  /** Checked before the transaction begins and again just before COMMIT. */
  signal?: AbortSignal;
  /** Replaces each committed table by its staged copy, schema and all (Arrow staged with `stageArrow`). */
  recreate?: boolean;
}

/**
 * One load into `schema`, from start to end; a sync and a sample load both go through it. Batches are
 * staged into `_dinobase_staging` with autocommit as they arrive (a table created and dropped inside one
 * transaction fails to commit on a reopened OPFS database: "Could not commit creation of dependency"), then
 * `commit` moves them into place in one transaction. `close` always runs: it drops whatever staging is left
 * (after a failure or a cancel) and closes the connection.
 */
export class StagedLoad {
  readonly schema: string;
  #conn: DuckConnection;
  #stager: Stager;
  #committed = false;

  private constructor(conn: DuckConnection, schema: string, label: string) {
    this.#conn = conn;
    this.schema = schema;
    this.#stager = new Stager(conn, `${schema}__${label}`);
  }

  static async open(connect: Connect, schema: string, label: string): Promise<StagedLoad> {
    return new StagedLoad(await connect(), schema, label);
  }

  /** Queues `table`'s buffered rows for staging (see Stager.stage); failures surface at `commit`. */
  stage(table: NormalizedTable): void {
    this.#stager.stage(table);
  }

  /** Waits until every queued batch is in DuckDB (a caller bounding how much it holds in memory). */
  flush(): Promise<void> {
    return this.#stager.flush();
  }

  /** Queues a batch of Arrow rows for `table` in its own types (see Stager.stageArrow). */
  stageArrow(table: string, batch: Table): void {
    this.#stager.stageArrow(table, batch);
  }

  async commit(items: CommitItem[], options: CommitOptions = {}): Promise<LoadResult> {
    const conn = this.#conn;
    await this.#stager.flush();
    await this.#stager.settle();
    options.signal?.throwIfAborted();
    // Its own commit: DuckDB-WASM 1.32 refuses to commit a table created in the same transaction as its
    // schema when that schema was dropped earlier on a reopened OPFS database ("Could not commit creation of
    // dependency, subject … has been deleted"): Delete data, then Sync now, failed until a reload.
    await conn.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
    await conn.query('BEGIN TRANSACTION');
    try {
      const result = await commitStaged(
        conn,
        this.schema,
        this.#stager,
        items,
        options.replaceAll,
        options.recreate,
      );
      await options.within?.(conn);
      options.signal?.throwIfAborted();
      await conn.query('COMMIT');
      this.#committed = true;
      return result;
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Drops the staging a failed or cancelled load left (a committed one left none) and closes the connection. */
  async close(): Promise<void> {
    try {
      if (!this.#committed) await this.#stager.discard();
      await this.#stager.removeFiles();
    } finally {
      await this.#conn.close();
    }
  }
}

/** Runs `task` on a new StagedLoad and closes it however the task ends. */
export async function withStagedLoad<T>(
  connect: Connect,
  schema: string,
  label: string,
  task: (load: StagedLoad) => Promise<T>,
): Promise<T> {
  const load = await StagedLoad.open(connect, schema, label);
  try {
    return await task(load);
  } finally {
    await load.close();
  }
}

let loads = 0;

/** The one-shot form (sample data, tests): in-memory tables into `schema`. */
export function loadTables(
  connect: Connect,
  schema: string,
  items: LoadItem[],
  options: CommitOptions = {},
): Promise<LoadResult> {
  return withStagedLoad(connect, schema, `load${++loads}`, (load) => {
    for (const item of items) for (const table of item.tables.values()) load.stage(table);
    return load.commit(items, options);
  });
}
