// MutationEngine: SQL write-back as preview → confirm (or cancel/expire), recorded in _dinobase.mutations.
import { sqlLimitError, valueLimitError } from '../../common/sql-guard.ts';
import { tokenize } from '../../common/sql-lexer.ts';
import { systemClock, toSqlTimestamp, type Clock } from '../clock.ts';
import { builtinConnectors } from '../connectors/builtin.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type { DinobaseDB } from '../db.ts';
import { MutationError, errorMessage } from '../errors.ts';
import { parseMutation, splitMutationSql } from '../mutations/parse.ts';
import { PreviewBuilder } from '../mutations/preview.ts';
import { insertPending, type PendingMutation } from '../mutations/store.ts';
import {
  batchPreview,
  expireStale,
  newId,
  readRecords,
  splitForce,
  type StagedMutation,
} from '../mutations/pending.ts';
import type {
  BatchPreview,
  BatchResult,
  ConfirmResult,
  MutationFailure,
  MutationPlan,
  MutationPreview,
  MutationRecord,
  RowResult,
} from '../mutations/types.ts';

export type {
  BatchPreview,
  BatchResult,
  ConfirmResult,
  MutationFailure,
  MutationPreview,
  MutationRecord,
} from '../mutations/types.ts';
export type { StagedMutation } from '../mutations/pending.ts';

export const DEFAULT_MAX_AFFECTED_ROWS = 50;
export const PENDING_TTL_MS = 10 * 60_000;

/** What confirm hands the plan to: the API write-back (worker/mutations/writer.ts). */
export interface PlanExecutor {
  execute(plan: MutationPlan, options: { onRow?: (row: RowResult) => void }): Promise<RowResult[]>;
  /** The API base the source's writes go to; the preview names its host. */
  upstream?(source: string, type: string): Promise<URL>;
}

export interface MutationEngineOptions {
  connectors?: ConnectorRegistry;
  clock?: Clock;
  writer?: PlanExecutor;
  ttlMs?: number;
}

export interface HandleSqlOptions {
  /** UPDATE/DELETE previews refuse to touch more rows than this. @default 50 */
  maxAffectedRows?: number;
  /** Who asked (an MCP client's name), stored with the mutation for the Pending drawer. */
  client?: string;
  /**
   * Whether a trailing `--force` executes at once (the preview is still stored and audited). Off, the preview
   * is returned with a `message` saying a person confirms it. @default true (the library and the CLI)
   */
  allowForce?: boolean;
}

export function isMutationFailure(value: unknown): value is MutationFailure {
  return typeof value === 'object' && value !== null && 'error' in value;
}

function failure(error: unknown): MutationFailure {
  const out: MutationFailure = { error: errorMessage(error) };
  if (error instanceof MutationError) out.code = error.code;
  const rows = (error as { rows_affected?: unknown }).rows_affected;
  if (typeof rows === 'number') out.rows_affected = rows;
  return out;
}

export class MutationEngine {
  #db: DinobaseDB;
  #clock: Clock;
  #writer: PlanExecutor | undefined;
  #ttlMs: number;
  #previews: PreviewBuilder;
  /** Confirms running in this engine, so a second confirm joins the first instead of writing again. */
  #inFlight = new Map<string, Promise<ConfirmResult | MutationFailure>>();

  constructor(db: DinobaseDB, options: MutationEngineOptions = {}) {
    this.#db = db;
    this.#clock = options.clock ?? db.clock ?? systemClock;
    this.#writer = options.writer;
    this.#ttlMs = options.ttlMs ?? PENDING_TTL_MS;
    this.#previews = new PreviewBuilder(db, options.connectors ?? builtinConnectors(), {
      upstream: options.writer?.upstream?.bind(options.writer),
    });
  }

  #now(): string {
    return toSqlTimestamp(this.#clock.now());
  }

  #expireStale(): Promise<void> {
    return expireStale(this.#db, this.#now());
  }

  /**
   * Records expiries where it can. Listing does not depend on it (records read a stale pending mutation as
   * expired), so a database that cannot write, such as one opened read-only, still lists.
   */
  async #expireQuietly(): Promise<void> {
    await this.#expireStale().catch(() => undefined);
  }

  /** Previews one statement (or a batch of them); nothing is written to any API until confirm. */
  async handleSql(
    sql: string,
    options: HandleSqlOptions = {},
  ): Promise<MutationPreview | BatchPreview | ConfirmResult | BatchResult | MutationFailure> {
    const { forced, body } = splitForce(sql);
    const preview = await this.#preview(body, options);
    if (!forced || isMutationFailure(preview)) return preview;
    if (options.allowForce === false) {
      const message =
        '--force was not applied: agents may not confirm writes here ("Agents may confirm writes" is off). ' +
        'A person confirms it in the Dinobase app (Pending drawer).';
      return { ...preview, message };
    }
    return 'batch_id' in preview
      ? this.confirmBatch(preview.mutations.map((m) => m.mutation_id))
      : this.confirm(preview.mutation_id);
  }

  async #preview(
    sql: string,
    options: HandleSqlOptions,
  ): Promise<MutationPreview | BatchPreview | MutationFailure> {
    const max = await this.#precheck(sql, options);
    if (typeof max !== 'number') return max;
    const statements = splitMutationSql(sql);
    if (statements.length === 0) return { error: 'Empty SQL' };
    const client = options.client ?? null;
    if (statements.length === 1) return this.#previewOne(statements[0]!, max, null, client);
    const batchId = newId('batch');
    const mutations: MutationPreview[] = [];
    const errors: { sql: string; error: string }[] = [];
    for (const statement of statements) {
      const result = await this.#previewOne(statement, max, batchId, client);
      if (isMutationFailure(result)) errors.push({ sql: statement, error: result.error });
      else mutations.push(result);
    }
    if (mutations.length === 0) return { error: 'All statements failed validation', details: errors };
    return batchPreview(batchId, statements.length, mutations, errors.length > 0 ? errors : null);
  }

  async #previewOne(
    statement: string,
    max: number,
    batchId: string | null,
    client: string | null,
  ): Promise<MutationPreview | MutationFailure> {
    const staged = await this.#build(statement, max, client);
    if (isMutationFailure(staged)) return staged;
    return this.#store(staged, batchId);
  }

  /** The preview and its record, not stored yet. */
  async #build(
    statement: string,
    max: number,
    client: string | null,
  ): Promise<StagedMutation | MutationFailure> {
    try {
      const parsed = parseMutation(statement);
      const { preview, plan } = await this.#previews.build(parsed, max);
      const mutationId = newId('mut');
      const created = this.#clock.now();
      const expires = toSqlTimestamp(created + this.#ttlMs);
      const sqlText = statement.trim().replace(/;\s*$/, '');
      const record: PendingMutation = {
        mutation_id: mutationId,
        connector_name: plan.source,
        table_name: plan.table,
        operation: preview.operation,
        sql_text: sqlText,
        preview: JSON.stringify(preview),
        created_at: toSqlTimestamp(created),
        plan: JSON.stringify({ ...plan, mutation_id: mutationId }),
        expires_at: expires,
        batch_id: null,
        client,
      };
      const response: MutationPreview = {
        mutation_id: mutationId,
        status: 'pending_confirmation',
        preview,
        expires_at: `${expires.replace(' ', 'T')}Z`,
        confirm: `Call confirm with mutation_id '${mutationId}' to execute`,
      };
      return { record, response };
    } catch (error) {
      return failure(error);
    }
  }

  async #store(staged: StagedMutation, batchId: string | null): Promise<MutationPreview | MutationFailure> {
    try {
      await insertPending(this.#db, { ...staged.record, batch_id: batchId });
      // A preview must survive a reload (OPFS keeps only checkpointed work across restarts).
      await this.#db.checkpoint();
      return staged.response;
    } catch (error) {
      return failure(error);
    }
  }

  /**
   * A script's write: its preview is built now (seeing what the script's earlier statements made) but stored only
   * by `storeStaged`, so a script that fails later leaves nothing pending.
   */
  async stage(sql: string, options: HandleSqlOptions = {}): Promise<StagedMutation | MutationFailure> {
    const max = await this.#precheck(sql, options);
    return typeof max === 'number' ? this.#build(sql, max, options.client ?? null) : max;
  }

  /** Before any preview: the row limit and input limits are checked, and stale previews expire. */
  async #precheck(sql: string, options: HandleSqlOptions): Promise<number | MutationFailure> {
    const max = options.maxAffectedRows ?? DEFAULT_MAX_AFFECTED_ROWS;
    if (!Number.isInteger(max) || max < 1)
      return { error: `maxAffectedRows must be a positive integer, got ${max}.` };
    // Before node-sql-parser sees it: deep or unclosed brackets make it backtrack for minutes.
    const limit = sqlLimitError(sql) ?? valueLimitError(tokenize(sql));
    if (limit) return { error: limit, code: 'invalid_argument' };
    try {
      await this.#expireStale();
      return max;
    } catch (error) {
      return failure(error);
    }
  }

  /** Stores a script's staged previews: one alone as itself, several as one batch. */
  async storeStaged(staged: StagedMutation[]): Promise<MutationPreview | BatchPreview | MutationFailure> {
    if (staged.length === 1) return this.#store(staged[0]!, null);
    const batchId = newId('batch');
    const mutations: MutationPreview[] = [];
    for (const one of staged) {
      const stored = await this.#store(one, batchId);
      if (isMutationFailure(stored)) return stored;
      mutations.push(stored);
    }
    return batchPreview(batchId, staged.length, mutations, null);
  }

  /** Executes a pending mutation once; a repeated confirm never writes again, and an interrupted one resumes. */
  confirm(
    mutationId: string,
    options: { onRow?: (row: RowResult) => void } = {},
  ): Promise<ConfirmResult | MutationFailure> {
    const running = this.#inFlight.get(mutationId);
    if (running) return running;
    const run = this.#confirm(mutationId, options).finally(() => this.#inFlight.delete(mutationId));
    this.#inFlight.set(mutationId, run);
    return run;
  }

  async #confirm(
    mutationId: string,
    options: { onRow?: (row: RowResult) => void },
  ): Promise<ConfirmResult | MutationFailure> {
    await this.#expireStale();
    const claimed = await this.#db.exclusive(async (conn) => {
      const rows = await conn.queryParams(
        `UPDATE _dinobase.mutations SET status = 'executing', confirmed_at = ?::TIMESTAMP
         WHERE mutation_id = ? AND status = 'pending' RETURNING mutation_id`,
        [this.#now(), mutationId],
      );
      return rows.numRows > 0;
    });
    const record = await this.get(mutationId);
    if (!record) return { error: `Mutation '${mutationId}' not found`, code: 'not_found' };
    if (!claimed && record.status !== 'executing') {
      return { error: `Mutation '${mutationId}' is ${record.status}, not pending`, code: 'refused' };
    }
    if (!this.#writer) {
      return { error: 'This engine has no write-back transport configured; the mutation stays executing.' };
    }
    // The claim must survive a crash, so a reload resumes instead of showing it as pending again.
    await this.#db.checkpoint();
    const [planRow] = await this.#db.query(`SELECT plan FROM _dinobase.mutations WHERE mutation_id = ?`, [
      mutationId,
    ]);
    const plan = JSON.parse(String(planRow?.plan)) as MutationPlan;
    let details: RowResult[];
    try {
      details = await this.#writer.execute(plan, { onRow: options.onRow });
    } catch (error) {
      // The outbox keeps per-row progress; the mutation stays `executing` so confirm can resume it.
      return {
        error: `Write-back of ${mutationId} stopped: ${errorMessage(error)}. Confirm again to resume.`,
      };
    }
    const succeeded = details.filter((d) => d.status === 'ok').length;
    const failed = details.filter((d) => d.status === 'failed').length;
    const stale = details.filter((d) => d.status === 'stale').length;
    const status: ConfirmResult['status'] = succeeded === 0 && failed + stale > 0 ? 'failed' : 'executed';
    const result: ConfirmResult = {
      status,
      mutation_id: mutationId,
      operation: record.operation,
      source: record.connector_name,
      table: record.table_name,
      api_write_back: {
        total_rows: details.length,
        api_calls: details.filter((d) => d.http_status !== undefined).length,
        succeeded,
        failed,
        stale,
        details,
      },
      local_update: {
        method: 'api_response',
        rows_changed: details.filter((d) => d.local && d.local !== 'unchanged' && d.local !== 'not_synced')
          .length,
      },
    };
    const errorText =
      failed + stale > 0
        ? details
            .filter((d) => d.status === 'failed' || d.status === 'stale')
            .map((d) => `${d.id ?? `row ${d.index + 1}`}: ${d.error ?? d.note ?? 'failed'}`)
            .join('; ')
        : null;
    await this.#db.exclusive((conn) =>
      conn.queryParams(
        `UPDATE _dinobase.mutations SET status = ?, executed_at = ?::TIMESTAMP, result = ?, error_message = ? WHERE mutation_id = ?`,
        [status, this.#now(), JSON.stringify(result), errorText, mutationId],
      ),
    );
    await this.#db.checkpoint();
    return result;
  }

  async confirmBatch(ids: string[]): Promise<BatchResult> {
    const results: (ConfirmResult | MutationFailure)[] = [];
    for (const id of ids) results.push(await this.confirm(id));
    return {
      status: 'batch_executed',
      total: ids.length,
      succeeded: results.filter((r) => !isMutationFailure(r) && r.status === 'executed').length,
      failed: results.filter((r) => isMutationFailure(r) || r.status === 'failed').length,
      results,
    };
  }

  async cancel(mutationId: string): Promise<{ status: 'cancelled'; mutation_id: string } | MutationFailure> {
    const cancelled = await this.#db.exclusive(async (conn) => {
      const rows = await conn.queryParams(
        `UPDATE _dinobase.mutations SET status = 'cancelled' WHERE mutation_id = ? AND status = 'pending' RETURNING mutation_id`,
        [mutationId],
      );
      return rows.numRows > 0;
    });
    if (cancelled) {
      await this.#db.checkpoint();
      return { status: 'cancelled', mutation_id: mutationId };
    }
    const record = await this.get(mutationId);
    if (!record) return { error: `Mutation '${mutationId}' not found`, code: 'not_found' };
    return { error: `Mutation '${mutationId}' is ${record.status}, not pending`, code: 'refused' };
  }

  /** Pending mutations (oldest first), plus interrupted ones a confirm would resume. */
  async listPending(): Promise<MutationRecord[]> {
    await this.#expireQuietly();
    return this.#records(`WHERE status IN ('pending', 'executing') ORDER BY created, id`);
  }

  /** Every mutation, newest first: the audit log. */
  async history(options: { limit?: number } = {}): Promise<MutationRecord[]> {
    await this.#expireQuietly();
    const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
    return this.#records(`ORDER BY created DESC, id DESC LIMIT ${limit}`);
  }

  async get(mutationId: string): Promise<MutationRecord | null> {
    const [record] = await this.#records(`WHERE mutation_id = ?`, [mutationId]);
    return record ?? null;
  }

  async #records(tail: string, params: string[] = []): Promise<MutationRecord[]> {
    const records = await readRecords(this.#db, this.#now(), tail, params);
    for (const record of records) {
      if (record.status === 'executing') record.interrupted = !this.#inFlight.has(record.mutation_id);
    }
    return records;
  }
}
