// QueryEngine: runs reads with row caps, timeouts and cancellation; routes writes to mutation previews.
import type { DinobaseDB } from '../db.ts';
import type { IpcMessages } from '../../common/arrow.ts';
import type { DuckConnection, HeadResult } from '../duckdb/index.ts';
import { DinobaseError, errorMessage, type ErrorCode } from '../errors.ts';
import { duckTypeName, headToIPC, tableToRows, type JsonRow } from '../values.ts';
import { describeTable, listSources, type CatalogSource, type TableDescription } from './catalog.ts';
import { beforeMigrations, classify, statementLabel } from './classify.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type {
  BatchPreview,
  BatchResult,
  ConfirmResult,
  HandleSqlOptions,
  MutationPreview,
  StagedMutation,
} from './mutations.ts';
import { runScript, scratchChanged, settleFailure, type StatementOutcome } from './script.ts';

export type { StatementOutcome } from './script.ts';

export const DEFAULT_MAX_ROWS = 200;

export interface ExecuteOptions {
  maxRows?: number;
  /** Who runs it (an MCP client's name): recorded on any mutation it previews. */
  client?: string;
  /**
   * Whether a trailing `--force` may execute a mutation without a separate confirm (the library: yes; an
   * agent: only while "Agents may confirm writes" is on). @default true
   */
  allowForce?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** UPDATE/DELETE previews refuse to touch more rows than this (default 50). */
  maxAffectedRows?: number;
  /** The line the SQL starts on in a larger text (the editor's selection): script lines count from it. */
  firstLine?: number;
}

export interface ErrorResult {
  error: string;
  code?: ErrorCode;
}

/** A script that failed: the line its failing statement starts on, and every statement's outcome. */
export interface ScriptError extends ErrorResult {
  line: number;
  statements: StatementOutcome[];
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
  /** A script's statements, in order, with what each did (absent for one statement). */
  statements?: StatementOutcome[];
  /** The writes a script previewed, stored as one batch (or one preview) awaiting confirmation. */
  pending?: MutationPreview | BatchPreview;
}

export interface QueryResult extends ResultShape {
  rows: JsonRow[];
}

/**
 * The UI's form: the same result as an Arrow IPC stream's messages (transferred, never joined), so rows are
 * never cloned value by value.
 */
export interface ArrowQueryResult extends ResultShape {
  ipc: IpcMessages;
}

/** A mutation preview or batch preview, passed through as the MutationEngine returns it. */
export type MutationResponse = MutationPreview | BatchPreview;

/** A script whose last statement is a write: its outcomes, and its writes' previews (stored as one batch). */
export interface ScriptPreview {
  status: 'pending_confirmation';
  statements: StatementOutcome[];
  pending: MutationPreview | BatchPreview;
  message: string;
}
/** A `--force`d mutation: executed at once, the preview still stored and audited. */
export type ForcedResponse = ConfirmResult | BatchResult;

/** What the MutationEngine offers the query path. */
export interface MutationHandler {
  handleSql(
    sql: string,
    options?: HandleSqlOptions,
  ): Promise<MutationResponse | ForcedResponse | ErrorResult>;
  /** A script's write: previewed now, stored only by storeStaged once the whole script ran. */
  stage(sql: string, options?: HandleSqlOptions): Promise<StagedMutation | ErrorResult>;
  storeStaged(staged: StagedMutation[]): Promise<MutationPreview | BatchPreview | ErrorResult>;
}

/** A routed UPDATE/INSERT/DELETE: a preview to confirm, not rows. */
export function isMutationResponse(value: unknown): value is MutationResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    ('mutation_id' in value || 'batch_id' in value) &&
    (value as { status?: unknown }).status === 'pending_confirmation'
  );
}

export function isForcedResponse(value: unknown): value is ForcedResponse {
  const status = typeof value === 'object' && value !== null ? (value as { status?: unknown }).status : null;
  return status === 'executed' || status === 'failed' || status === 'batch_executed';
}

/** A script that ended in a write: outcomes plus its previews in `pending`. */
export function isScriptPreview(value: unknown): value is ScriptPreview {
  return typeof value === 'object' && value !== null && 'pending' in value && !('columns' in value);
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
  #connectors: ConnectorRegistry | undefined;
  #conn: Promise<DuckConnection> | null = null;
  #generation = -1;

  /** `connectors` declare the join paths `describeTable` reports beside the stored and heuristic ones. */
  constructor(db: DinobaseDB, options: { mutations?: MutationHandler; connectors?: ConnectorRegistry } = {}) {
    this.#db = db;
    this.#mutations = options.mutations;
    this.#connectors = options.connectors;
  }

  /** Reads get their own connection so a cancel never hits metadata or sync work. */
  #connection(): Promise<DuckConnection> {
    this.#db.dropIfBroken();
    // A connection dies with its database: after a close (a restore, a hand-over to another tab) take a new one.
    if (this.#generation !== this.#db.generation) {
      this.#generation = this.#db.generation;
      this.#conn = null;
    }
    this.#conn ??= this.#db.connect({ migrated: false }).catch((error: unknown) => {
      this.#conn = null;
      throw error;
    });
    return this.#conn;
  }

  /** Takes the reads' connection now (as the tab opens), so that the first query goes to DuckDB as it arrives. */
  async connect(): Promise<void> {
    await this.#connection();
  }

  #dropConnection(): void {
    const old = this.#conn;
    this.#conn = null;
    void old?.then((conn) => conn.close()).catch(() => undefined);
  }

  async execute(
    sql: string,
    options: ExecuteOptions = {},
  ): Promise<QueryResult | ErrorResult | MutationResponse | ForcedResponse | ScriptPreview> {
    const outcome = await this.#guarded(sql, options);
    if ('routed' in outcome) return outcome.routed;
    if ('script' in outcome) return outcome.script;
    if ('error' in outcome) return outcome;
    const { head, shape } = outcome;
    return { columns: shape.columns, rows: tableToRows(head.table, shape.row_count), ...shapeRest(shape) };
  }

  async executeArrow(
    sql: string,
    options: ExecuteOptions = {},
  ): Promise<ArrowQueryResult | ErrorResult | MutationResponse | ScriptPreview> {
    // The grid's form is the editor's: a `--force` there still opens the review, so a person confirms.
    const outcome = await this.#guarded(sql, { ...options, allowForce: false });
    if ('routed' in outcome) {
      return isForcedResponse(outcome.routed)
        ? { error: 'A forced mutation reached the editor path', code: 'internal' }
        : outcome.routed;
    }
    if ('script' in outcome) return outcome.script;
    if ('error' in outcome) return outcome;
    const { head, shape } = outcome;
    // The driver's bytes go as they are; the table is decoded (head.table) only to slice or to encode it.
    const ipc = shape.truncated || !head.ipc ? [headToIPC(head.table, shape.row_count)] : head.ipc;
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

  /**
   * Earlier statements of a script run whole; the last one is read as a head of `maxRows` rows plus its exact
   * total. The drivers return an Arrow table either way (native DuckDB builds it in JavaScript, and IPC
   * encoding only to decode again cost ~1.5x on wide reads), with the IPC bytes when they have them.
   */
  async #run(sql: string, options: ExecuteOptions): Promise<RunOutcome> {
    const started = performance.now();
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    if (!Number.isInteger(maxRows) || maxRows < 1) {
      return {
        error: `maxRows must be a positive integer, got ${String(maxRows)}.`,
        code: 'invalid_argument' as const,
      };
    }
    const firstLine = options.firstLine ?? 1;
    if (!Number.isInteger(firstLine) || firstLine < 1) {
      return {
        error: `firstLine must be a positive integer, got ${String(firstLine)}.`,
        code: 'invalid_argument',
      };
    }
    const classification = classify(sql, firstLine);
    if (classification.kind === 'empty') return { error: classification.error, code: 'refused' };
    if (classification.kind === 'refused') {
      return { error: classification.error, code: classification.code ?? 'refused' };
    }
    if (classification.kind === 'mutation') {
      if (this.#mutations) {
        const preview = await this.#mutations.handleSql(sql, {
          maxAffectedRows: options.maxAffectedRows,
          client: options.client,
          allowForce: options.allowForce,
        });
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
    const mutations = this.#mutations;
    if (classification.kind === 'script' && !mutations) {
      return {
        error: 'Writes go through mutation previews, which are not enabled in this build yet.',
        code: 'refused',
      };
    }
    if (!beforeMigrations(sql, classification.statements)) await this.#db.conn;
    const timeout = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const { statements } = classification;
    const total = statements.length;
    const run = await runScript(
      {
        db: this.#db,
        connection: () => this.#connection(),
        stage: (s) =>
          mutations!.stage(s.text, { maxAffectedRows: options.maxAffectedRows, client: options.client }),
        signal,
        maxRows,
      },
      statements,
    );
    const outcomes = total > 1 ? { statements: run.outcomes } : {};
    // A scratch write is committed (also before a failing statement); without a checkpoint OPFS could lose it.
    if (scratchChanged(run.outcomes)) await this.#db.checkpoint();
    if (run.failure) {
      const failed = this.#failure(run.failure.error, timeout, options);
      if (total === 1) return failed;
      const { index } = run.failure;
      settleFailure(run.outcomes, index, failed.error);
      const { line } = statements[index]!;
      const error = `${statementLabel(index, total, line)} failed: ${failed.error}`;
      const scriptError: ScriptError = { ...failed, error, line, statements: run.outcomes };
      return scriptError;
    }
    // Only now, with every statement through, do the script's previews become pending.
    const stored = run.staged.length > 0 ? await mutations!.storeStaged(run.staged) : null;
    if (stored && isErrorResult(stored)) return stored;
    const previewed = `${run.staged.length === 1 ? 'A write was' : `${run.staged.length} writes were`} previewed: confirm or cancel in Pending.`;
    if (!run.head) {
      const message = `Ran ${total} statements; the last was a write. ${previewed}`;
      return {
        script: { status: 'pending_confirmation', statements: run.outcomes, pending: stored!, message },
      };
    }
    const { head } = run;
    const rows = head.totalRows;
    const fields = head.schema.fields;
    const shape: ResultShape = {
      columns: fields.map((f) => f.name),
      data_types: Object.fromEntries(fields.map((f) => [f.name, duckTypeName(f.type)])),
      row_count: Math.min(head.rows, maxRows),
      total_rows: rows,
      elapsed_ms: Math.round((performance.now() - started) * 100) / 100,
      _freshness: 'synced',
    };
    const notes: string[] = [];
    if (total > 1) notes.push(`Ran ${total} statements; this is the result of the last.`);
    if (stored) notes.push(previewed);
    if (rows > maxRows) {
      shape.truncated = true;
      notes.push(
        `Showing ${maxRows} of ${rows} rows. Use LIMIT N OFFSET M to paginate (e.g., LIMIT ${maxRows} OFFSET ${maxRows} ` +
          'for page 2), or add a WHERE clause to narrow results.',
      );
    }
    if (notes.length > 0) shape.message = notes.join(' ');
    return { head, shape: { ...shape, ...outcomes, ...(stored ? { pending: stored } : {}) } };
  }

  /** What a failed statement reports: a timeout says after how long, a restart why. */
  #failure(error: unknown, timeout: AbortSignal | undefined, options: ExecuteOptions): ErrorResult {
    // An interrupted statement may still occupy its connection (DuckDB cannot interrupt planning): the
    // next query takes a fresh one instead of queueing behind it.
    if (error instanceof DinobaseError && error.code === 'interrupted') this.#dropConnection();
    if (isErrorResult(error)) return { error: error.error, ...(error.code ? { code: error.code } : {}) };
    // The timeout's own reason ("signal timed out") does not say after how long; a restart says why.
    const restarted = /terminated/.test(errorMessage(error)) ? `: ${errorMessage(error)}` : '';
    return timeout?.aborted && !options.signal?.aborted
      ? {
          error: `Query interrupted: timed out after ${options.timeoutMs} ms${restarted}`,
          code: 'interrupted' as const,
        }
      : fail(error);
  }

  listSources(): Promise<{ sources: CatalogSource[] }> {
    return listSources(this.#db);
  }

  async describeTable(ref: string): Promise<TableDescription | ErrorResult> {
    try {
      return await describeTable(this.#db, ref, { connectors: this.#connectors });
    } catch (error) {
      return fail(error);
    }
  }
}

type RunOutcome =
  | { routed: MutationResponse | ForcedResponse }
  | { script: ScriptPreview }
  | ErrorResult
  | { head: HeadResult; shape: ResultShape };

function shapeRest(shape: ResultShape): Omit<ResultShape, 'columns'> {
  const { columns: _columns, ...rest } = shape;
  return rest;
}
