// Stages normalised batches into `_dinobase_staging` (or files DuckDB reads) while a sync is still fetching.
import type { Table } from 'apache-arrow';
import type { DuckConnection, StagingFiles } from '../duckdb/index.ts';
import { STAGING_SCHEMA } from '../meta/migrations.ts';
import { qualified, quoteIdent, quoteLiteral } from '../sql.ts';
import { buildArrowTableInSlices } from './arrow.ts';
import type { NormalizedTable } from './normalize.ts';
import { resolved, sameType, sqlType, type ColumnType } from './types.ts';

export interface StagedTable {
  name: string;
  /** Table name inside `_dinobase_staging`. */
  staging: string;
  /** Staged columns in staging-table order, with their current (widened) types. */
  columns: Map<string, ColumnType>;
  rows: number;
  /** True once the same `_dlt_id` was staged twice (overlapping pages); only then must the merge dedupe. */
  duplicates: boolean;
  /** Staged as files (see `source`), in order: each batch's file and its columns' types then; null: a table. */
  files: StagedFile[] | null;
  /** Each column's types in the order staging took them: the ALTERs a staging table would have had. */
  history: Map<string, ColumnType[]>;
}

interface StagedFile {
  /** Set once written. */
  path: string | null;
  columns: [string, ColumnType][];
}

/**
 * Each `stage()` call takes a table's buffered rows (emptying the buffer) and queues their load: the Arrow
 * build runs one column per macrotask, so the page a sync already asked for is read as soon as it arrives;
 * the DuckDB side (ALTERs to follow widening types, the insert) runs in DuckDB's own worker while fetching
 * continues. Staging lives outside the sync's final transaction, which only moves staged rows into place;
 * `discard()` drops it after a failure.
 *
 * Where the connection has staging files (native DuckDB), batches become files instead and nothing is
 * inserted until the commit reads them straight into place: DuckDB copies each row once, not twice, and no
 * insert competes with the fetch. The ALTERs a staging table would have had become casts in that read.
 */
export class Stager {
  readonly staged = new Map<string, StagedTable>();
  #ids = new Map<string, Set<unknown>>();
  #conn: DuckConnection;
  #files: StagingFiles | undefined;
  /** Every file written, to delete whatever way the load ends. */
  #paths: string[] = [];
  /** Their bytes, against `StagingFiles.limitBytes`. */
  #bytes = 0;
  #prefix: string;
  #queue: Promise<void>;
  /** The Arrow builds, in staging order. */
  #builds: Promise<unknown> = Promise.resolve();

  constructor(conn: DuckConnection, prefix: string) {
    this.#conn = conn;
    this.#files = conn.stagingFiles;
    this.#prefix = prefix;
    this.#queue = conn.query(`CREATE SCHEMA IF NOT EXISTS ${STAGING_SCHEMA}`).then(() => undefined);
  }

  /** Snapshots `table`'s rows (resetting it) and queues their load; column types still unknown wait for a value. */
  stage(table: NormalizedTable): void {
    const known = [...table.columns].filter(([, t]) => t !== 'unknown');
    let entry = this.staged.get(table.name);
    if (known.length === 0 || (table.length === 0 && entry)) return;
    const statements: string[] = [];
    const fresh = !entry;
    if (!entry) {
      entry = {
        name: table.name,
        staging: `${this.#prefix}__${table.name}`,
        columns: new Map(known.map(([n, t]) => [n, resolved(t)])),
        rows: 0,
        duplicates: false,
        files: this.#files ? [] : null,
        history: new Map(known.map(([n, t]) => [n, [resolved(t)]])),
      };
      this.staged.set(table.name, entry);
      statements.push(`DROP TABLE IF EXISTS ${qualified(STAGING_SCHEMA, entry.staging)}`);
    } else {
      const target = qualified(STAGING_SCHEMA, entry.staging);
      for (const [name, type] of known) {
        const final = resolved(type);
        const staged = entry.columns.get(name);
        if (staged === undefined) {
          statements.push(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(name)} ${sqlType(final)}`);
          entry.history.set(name, [final]);
        } else if (!sameType(staged, final)) {
          statements.push(`ALTER TABLE ${target} ALTER COLUMN ${quoteIdent(name)} TYPE ${sqlType(final)}`);
          entry.history.get(name)!.push(final);
        }
        entry.columns.set(name, final);
      }
    }
    // Arrow columns go in staging order: DuckDB appends Arrow batches by position.
    const columns = new Map(entry.columns);
    const history = historyOf(entry);
    const rows = detach(table);
    entry.rows += rows.length;
    const placed = entry;
    // Builds run in their own chain, one at a time: a batch is built while the one before is still loading.
    const built = this.#builds.then(() => {
      this.#markDuplicates(placed, rows);
      return buildArrowTableInSlices(rows, columns);
    });
    this.#builds = built;
    // Surfaces through the queue's task (at flush), which never runs once an earlier task failed.
    built.catch(() => undefined);
    this.#enqueue(async () => this.#place(placed, await built, { columns, history, statements, fresh }));
  }

  /** Notes a record staged twice (overlapping pages), which the commit's merge then dedupes. */
  #markDuplicates(entry: StagedTable, rows: NormalizedTable): void {
    let ids = this.#ids.get(entry.name);
    if (!ids) this.#ids.set(entry.name, (ids = new Set()));
    for (const id of rows.values.get('_dlt_id') ?? []) {
      if (ids.has(id)) entry.duplicates = true;
      else ids.add(id);
    }
  }

  /**
   * Puts one built batch where its table stages: a new file, or the staging table. Runs in queue order, so
   * the decisions (files or table) follow the batches; the columns are the batch's own, from when it was staged.
   */
  async #place(entry: StagedTable, batch: Table, at: BatchColumns): Promise<void> {
    const files = this.#files;
    if (entry.files && files?.accepts(batch) && this.#bytes < files.limitBytes) {
      // An empty batch adds no file: its columns are in `entry.columns`, which the read selects in full.
      if (batch.numRows === 0) return;
      const file: StagedFile = { path: null, columns: [...at.columns] };
      entry.files.push(file);
      const { path, bytes } = await files.write(batch);
      this.#paths.push(path);
      this.#bytes += bytes;
      file.path = path;
      return;
    }
    const target = { schema: STAGING_SCHEMA, name: entry.staging };
    if (entry.files && !at.fresh) {
      // A column type the files do not take (a list of lists), or files past their limit: the files so far
      // become the staging table, already in this batch's columns, and staging goes on in the table.
      const layout = snapshot(entry, at);
      entry.files = null;
      await this.#materialise(layout);
      await this.#conn.insertArrow(batch, { ...target, create: false });
      return;
    }
    entry.files = null;
    for (const sql of at.statements) await this.#conn.query(sql);
    await this.#conn.insertArrow(batch, { ...target, create: at.fresh });
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task);
    // A failure surfaces at flush(); until then it must not be an unhandled rejection.
    this.#queue.catch(() => undefined);
  }

  /** Writes `layout`'s files into its staging table, one column layout at a time, in staging order. */
  async #materialise(layout: FileLayout): Promise<void> {
    const target = qualified(STAGING_SCHEMA, layout.staging);
    await this.#conn.query(`DROP TABLE IF EXISTS ${target}`);
    const groups = groupFiles(layout.files);
    if (groups.length === 0) {
      await this.#conn.query(`CREATE TABLE ${target} AS ${emptySelect(layout.columns)}`);
    }
    for (const [i, group] of groups.entries()) {
      const select = groupSelect(layout, group);
      await this.#conn.query(
        i === 0 ? `CREATE TABLE ${target} AS ${select}` : `INSERT INTO ${target} ${select}`,
      );
    }
    // The rows are in the table now: the files go at once, so files past the limit do not stay on disk.
    const paths = new Set(layout.files.map((file) => file.path));
    this.#paths = this.#paths.filter((path) => !paths.has(path));
    await this.#files?.remove([...paths].filter((path) => path !== null));
  }

  /**
   * Readies file-staged tables for the commit (after `flush`, before its transaction): files in more than one
   * column layout, or holding a record twice (the commit's dedupe deletes by row), become the staging table.
   */
  async settle(): Promise<void> {
    for (const entry of this.staged.values()) {
      if (!entry.files) continue;
      if (entry.duplicates || groupFiles(entry.files).length > 1) {
        await this.#materialise(snapshot(entry));
        entry.files = null;
      }
    }
  }

  /** What the commit reads `entry`'s rows from: its staging table, or (settled) a SELECT over its files. */
  source(entry: StagedTable): string {
    if (!entry.files) return qualified(STAGING_SCHEMA, entry.staging);
    const [group] = groupFiles(entry.files);
    return `(${group ? groupSelect(entry, group) : emptySelect(entry.columns)})`;
  }

  /** Deletes every staging file this load wrote; the load's own end, however it ends. */
  async removeFiles(): Promise<void> {
    await this.#queue.catch(() => undefined);
    const paths = this.#paths.splice(0);
    if (paths.length > 0) await this.#files?.remove(paths);
  }

  /**
   * Queues an Arrow batch for `name` as it is (a pulled Parquet row group): the staging table takes the batch's
   * own types, so `columns` stays empty and such a table is committed with `recreate` (never evolved).
   */
  stageArrow(name: string, batch: Table): void {
    let entry = this.staged.get(name);
    const fresh = !entry;
    if (!entry) {
      entry = {
        name,
        staging: `${this.#prefix}__${name}`,
        columns: new Map(),
        rows: 0,
        duplicates: false,
        files: null,
        history: new Map(),
      };
      this.staged.set(name, entry);
    }
    entry.rows += batch.numRows;
    const { staging } = entry;
    this.#enqueue(async () => {
      if (fresh) await this.#conn.query(`DROP TABLE IF EXISTS ${qualified(STAGING_SCHEMA, staging)}`);
      await this.#conn.insertArrow(batch, { schema: STAGING_SCHEMA, name: staging, create: fresh });
    });
  }

  /** Waits for every queued load; rethrows the first failure. */
  async flush(): Promise<void> {
    await this.#queue;
  }

  async discard(): Promise<void> {
    await this.#queue.catch(() => undefined);
    for (const entry of this.staged.values()) {
      await this.#conn
        .query(`DROP TABLE IF EXISTS ${qualified(STAGING_SCHEMA, entry.staging)}`)
        .catch(() => undefined);
    }
  }
}

/** A batch's columns and the staging table's changes, as they were when the batch was staged. */
interface BatchColumns {
  columns: Map<string, ColumnType>;
  history: Map<string, ColumnType[]>;
  statements: string[];
  fresh: boolean;
}

/** Takes `table`'s buffered rows (the normaliser goes on filling new arrays) while they wait to be built. */
function detach(table: NormalizedTable): NormalizedTable {
  const rows = { ...table };
  table.values = new Map();
  table.length = 0;
  return rows;
}

/** What reading an entry's files needs, frozen at one moment (later batches move the entry on). */
interface FileLayout {
  staging: string;
  files: StagedFile[];
  columns: Map<string, ColumnType>;
  history: Map<string, ColumnType[]>;
}

/** `entry`'s files so far, in `at`'s columns (a batch's, from when it was staged) or the entry's current ones. */
function snapshot(entry: StagedTable, at?: Pick<BatchColumns, 'columns' | 'history'>): FileLayout {
  return {
    staging: entry.staging,
    files: [...(entry.files ?? [])],
    columns: at?.columns ?? new Map(entry.columns),
    history: at?.history ?? historyOf(entry),
  };
}

/** A copy of `entry`'s type history, which later batches go on appending to. */
const historyOf = (entry: StagedTable) =>
  new Map([...entry.history].map(([name, types]) => [name, [...types]]));

/** Consecutive files written with the same column types: one `read_parquet` each. */
function groupFiles(files: StagedFile[]): StagedFile[][] {
  const groups: StagedFile[][] = [];
  let key: string | null = null;
  for (const file of files) {
    const next = JSON.stringify(file.columns);
    if (next === key) groups.at(-1)!.push(file);
    else groups.push([file]);
    key = next;
  }
  return groups;
}

/**
 * One layout's files as rows of the entry's current columns: each column cast to the type it was written with
 * (as an insert into the staging table would), then through every type staging took after it (as its ALTERs
 * would), so the values are the ones a staging table gives. A column added later is NULL in earlier files.
 */
function groupSelect(layout: Pick<FileLayout, 'columns' | 'history'>, group: StagedFile[]): string {
  const written = new Map(group[0]!.columns.map(([name, type], i) => [name, { i, type }]));
  const columns = [...layout.columns].map(([name, type]) => {
    const column = written.get(name);
    if (!column) return `CAST(NULL AS ${sqlType(type)}) AS ${quoteIdent(name)}`;
    let expr = `CAST(c${column.i} AS ${sqlType(column.type)})`;
    const steps = layout.history.get(name) ?? [];
    const from = steps.findIndex((step) => sameType(step, column.type));
    for (const step of steps.slice(from + 1)) expr = `CAST(${expr} AS ${sqlType(step)})`;
    return `${expr} AS ${quoteIdent(name)}`;
  });
  const paths = group.map((file) => quoteLiteral(file.path!));
  return `SELECT ${columns.join(', ')} FROM read_parquet([${paths.join(', ')}])`;
}

function emptySelect(columns: Map<string, ColumnType>): string {
  const nulls = [...columns].map(([name, type]) => `CAST(NULL AS ${sqlType(type)}) AS ${quoteIdent(name)}`);
  return `SELECT ${nulls.join(', ')} LIMIT 0`;
}
