// QueryEngine: runs reads with row caps, timeouts and cancellation; routes writes to mutation previews.
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';
import { DinobaseError, errorMessage, type ErrorCode } from '../errors.ts';
import { duckTypeName, tableToRows, type JsonRow } from '../values.ts';
import { describeTable, listSources, type CatalogSource, type TableDescription } from './catalog.ts';
import { classify } from './classify.ts';
import { showTablesSql } from './show.ts';
import type { BatchPreview, MutationPreview } from './mutations.ts';

export const DEFAULT_MAX_ROWS = 200;

export interface ExecuteOptions {
  maxRows?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** UPDATE/DELETE previews refuse to touch more rows than this (default 50). */
  maxAffectedRows?: number;
}

export interface ErrorResult {
  error: string;
  code?: ErrorCode;
}

interface ResultShape {
  columns: string[];
  data_types: Record<string, string>;
  row_count: number;
  total_rows: number;
  truncated?: true;
  message?: string;
  elapsed_ms: number;
  _freshness: 'synced';
}

export interface QueryResult extends ResultShape {
  rows: JsonRow[];
}

/** The UI's form: the same result as Arrow IPC bytes, so rows are never cloned value by value. */
export interface ArrowQueryResult extends ResultShape {
  ipc: Uint8Array;
}

/** A mutation preview or batch preview, passed through as the MutationEngine returns it. */
export type MutationResponse = MutationPreview | BatchPreview;

/** What the MutationEngine offers the query path. */
export interface MutationHandler {
  handleSql(
    sql: string,
    options?: { maxAffectedRows?: number },
  ): Promise<MutationPreview | BatchPreview | ErrorResult>;
}

/** A routed UPDATE/INSERT/DELETE: a preview to confirm, not rows. */
export function isMutationResponse(value: unknown): value is MutationResponse {
  return typeof value === 'object' && value !== null && ('mutation_id' in value || 'batch_id' in value);
}

export function isErrorResult(value: unknown): value is ErrorResult {
  return typeof value === 'object' && value !== null && 'error' in value;
}

function fail(error: unknown): ErrorResult {
  return error instanceof DinobaseError
    ? { error: error.message, code: error.code }
    : { error: errorMessage(error) };
}

export class QueryEngine {
  #db: DinobaseDB;
  #mutations: MutationHandler | undefined;
  #conn: Promise<DuckConnection> | null = null;
  #generation = -1;

  constructor(db: DinobaseDB, options: { mutations?: MutationHandler } = {}) {
    this.#db = db;
    this.#mutations = options.mutations;
  }

  /** Reads get their own connection so a cancel never hits metadata or sync work. */
  #connection(): Promise<DuckConnection> {
    this.#db.dropIfBroken();
    // A connection dies with its database: after a close (a restore, a hand-over to another tab) take a new one.
    if (this.#generation !== this.#db.generation) {
      this.#generation = this.#db.generation;
      this.#conn = null;
    }
    this.#conn ??= this.#db.connect().catch((error: unknown) => {
      this.#conn = null;
      throw error;
    });
    return this.#conn;
  }

  #dropConnection(): void {
    const old = this.#conn;
    this.#conn = null;
    void old?.then((conn) => conn.close()).catch(() => undefined);
  }

  async execute(
    sql: string,
    options: ExecuteOptions = {},
  ): Promise<QueryResult | ErrorResult | MutationResponse> {
    const outcome = await this.#guarded(sql, options);
    if ('routed' in outcome) return outcome.routed;
    if ('error' in outcome) return outcome;
    const { table, shape } = outcome;
    return { columns: shape.columns, rows: tableToRows(table, shape.row_count), ...shapeRest(shape) };
  }

  async executeArrow(
    sql: string,
    options: ExecuteOptions = {},
  ): Promise<ArrowQueryResult | ErrorResult | MutationResponse> {
    const outcome = await this.#guarded(sql, options);
    if ('routed' in outcome) return outcome.routed;
    if ('error' in outcome) return outcome;
    const { table, bytes, shape } = outcome;
    const ipc = shape.truncated ? tableToIPC(table.slice(0, shape.row_count), 'stream') : bytes;
    return { columns: shape.columns, ...shapeRest(shape), ipc };
  }

  /** Bad input of any kind comes back as an error object, never as a rejection. */
  async #guarded(sql: string, options: ExecuteOptions): Promise<RunOutcome> {
    try {
      return await this.#run(sql, options);
    } catch (error) {
      return fail(error);
    }
  }

  async #run(sql: string, options: ExecuteOptions): Promise<RunOutcome> {
    const started = performance.now();
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    if (!Number.isInteger(maxRows) || maxRows < 1) {
      return {
        error: `maxRows must be a positive integer, got ${String(maxRows)}.`,
        code: 'invalid_argument' as const,
      };
    }
    const classification = classify(sql);
    if (classification.kind === 'empty') return { error: classification.error, code: 'refused' };
    if (classification.kind === 'refused') {
      return { error: classification.error, code: classification.code ?? 'refused' };
    }
    if (classification.kind === 'mutation') {
      if (this.#mutations) {
        const preview = await this.#mutations.handleSql(sql, { maxAffectedRows: options.maxAffectedRows });
        return isErrorResult(preview) ? preview : { routed: preview };
      }
      const targets = classification.statements
        .map((s) =>
          `${s.verb} ${s.target ? [s.target.schema, s.target.table].filter(Boolean).join('.') : ''}`.trim(),
        )
        .join('; ');
      return {
        error: `Writes go through mutation previews (preview, then confirm), never straight into DuckDB: ${targets}. Mutation previews are not enabled in this build yet.`,
        code: 'refused',
      };
    }
    const timeout = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    const { statements } = classification;
    const total = statements.length;
    let bytes: Uint8Array | null = null;
    for (const [i, statement] of statements.entries()) {
      try {
        const conn = await this.#connection();
        // One statement per call, never the script's text, and DuckDB itself confirms it reads one statement:
        // even a lexer bug cannot run a second one.
        const text = (await showTablesSql(this.#db, statement.tokens)) ?? statement.text;
        bytes = await conn.queryIPC(text, { signal, single: true });
      } catch (error) {
        // An interrupted statement may still occupy its connection (DuckDB cannot interrupt planning): the
        // next query takes a fresh one instead of queueing behind it.
        if (error instanceof DinobaseError && error.code === 'interrupted') this.#dropConnection();
        // The timeout's own reason ("signal timed out") does not say after how long; a restart says why.
        const restarted = /terminated/.test(errorMessage(error)) ? `: ${errorMessage(error)}` : '';
        const failed =
          timeout?.aborted && !options.signal?.aborted
            ? {
                error: `Query interrupted: timed out after ${options.timeoutMs} ms${restarted}`,
                code: 'interrupted' as const,
              }
            : fail(error);
        return total === 1
          ? failed
          : { ...failed, error: `Statement ${i + 1} of ${total} failed: ${failed.error}` };
      }
    }
    const table = tableFromIPC(bytes!);
    const rows = table.numRows;
    const fields = table.schema.fields;
    const shape: ResultShape = {
      columns: fields.map((f) => f.name),
      data_types: Object.fromEntries(fields.map((f) => [f.name, duckTypeName(f.type)])),
      row_count: Math.min(rows, maxRows),
      total_rows: rows,
      elapsed_ms: Math.round((performance.now() - started) * 100) / 100,
      _freshness: 'synced',
    };
    const notes: string[] = [];
    if (total > 1) notes.push(`Ran ${total} statements; this is the result of the last.`);
    if (rows > maxRows) {
      shape.truncated = true;
      notes.push(
        `Showing ${maxRows} of ${rows} rows. Use LIMIT N OFFSET M to paginate (e.g., LIMIT ${maxRows} OFFSET ${maxRows} ` +
          'for page 2), or add a WHERE clause to narrow results.',
      );
    }
    if (notes.length > 0) shape.message = notes.join(' ');
    return { table, bytes: bytes!, shape };
  }

  listSources(): Promise<{ sources: CatalogSource[] }> {
    return listSources(this.#db);
  }

  async describeTable(ref: string): Promise<TableDescription | ErrorResult> {
    try {
      return await describeTable(this.#db, ref);
    } catch (error) {
      return fail(error);
    }
  }
}

type RunOutcome =
  { routed: MutationResponse } | ErrorResult | { table: Table; bytes: Uint8Array; shape: ResultShape };

function shapeRest(shape: ResultShape): Omit<ResultShape, 'columns'> {
  const { columns: _columns, ...rest } = shape;
  return rest;
}
