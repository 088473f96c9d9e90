// Stages normalised batches into `_dinobase_staging` while a sync is still fetching, so DuckDB loads in parallel.
import type { Table } from 'apache-arrow';
import type { DuckConnection } from '../duckdb/index.ts';
import { STAGING_SCHEMA } from '../meta/migrations.ts';
import { qualified, quoteIdent } from '../sql.ts';
import { buildArrowTable } from './arrow.ts';
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
}

/**
 * Each `stage()` call turns a table's buffered rows into Arrow at once (and empties the buffer); the DuckDB
 * side (ALTERs to follow widening types, the insert) is queued on the connection and runs in DuckDB's own
 * worker while fetching continues. Staging lives outside the sync's final transaction, which only moves
 * staged rows into place; `discard()` drops it after a failure.
 */
export class Stager {
  readonly staged = new Map<string, StagedTable>();
  #ids = new Map<string, Set<unknown>>();
  #conn: DuckConnection;
  #prefix: string;
  #queue: Promise<void>;

  constructor(conn: DuckConnection, prefix: string) {
    this.#conn = conn;
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
        } else if (!sameType(staged, final)) {
          statements.push(`ALTER TABLE ${target} ALTER COLUMN ${quoteIdent(name)} TYPE ${sqlType(final)}`);
        }
        entry.columns.set(name, final);
      }
    }
    // Arrow columns go in staging order: DuckDB appends Arrow batches by position.
    const batch = buildArrowTable(table, new Map(entry.columns));
    entry.rows += table.length;
    let ids = this.#ids.get(table.name);
    if (!ids) this.#ids.set(table.name, (ids = new Set()));
    for (const id of table.values.get('_dlt_id') ?? []) {
      if (ids.has(id)) entry.duplicates = true;
      else ids.add(id);
    }
    for (const values of table.values.values()) values.length = 0;
    table.length = 0;
    const { staging } = entry;
    this.#queue = this.#queue.then(async () => {
      for (const sql of statements) await this.#conn.query(sql);
      await this.#conn.insertArrow(batch, { schema: STAGING_SCHEMA, name: staging, create: fresh });
    });
    // A failure surfaces at flush(); until then it must not be an unhandled rejection.
    this.#queue.catch(() => undefined);
  }

  /**
   * Queues an Arrow batch for `name` as it is (a pulled Parquet row group): the staging table takes the batch's
   * own types, so `columns` stays empty and such a table is committed with `recreate` (never evolved).
   */
  stageArrow(name: string, batch: Table): void {
    let entry = this.staged.get(name);
    const fresh = !entry;
    if (!entry) {
      entry = { name, staging: `${this.#prefix}__${name}`, columns: new Map(), rows: 0, duplicates: false };
      this.staged.set(name, entry);
    }
    entry.rows += batch.numRows;
    const { staging } = entry;
    this.#queue = this.#queue.then(async () => {
      if (fresh) await this.#conn.query(`DROP TABLE IF EXISTS ${qualified(STAGING_SCHEMA, staging)}`);
      await this.#conn.insertArrow(batch, { schema: STAGING_SCHEMA, name: staging, create: fresh });
    });
    this.#queue.catch(() => undefined);
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
