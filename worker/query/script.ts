// Scripts: a classified script's statements run in order, each one's outcome listed as the DuckDB shell does.
import type { Table } from 'apache-arrow';
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection, HeadResult } from '../duckdb/index.ts';
import type { StagedMutation } from '../mutations/pending.ts';
import type { PreviewBody } from '../mutations/preview.ts';
import type { MutationStatement, ReadStatement } from './classify.ts';
import { SCRATCH_VERBS } from './scratch.ts';
import { showTablesSql } from './show.ts';

/** Statements DuckDB takes as a subquery, so their total is a `count(*)` over them (after WITH: its body's verb). */
const WRAPPABLE = new Set(['SELECT', 'VALUES', 'FROM', 'TABLE']);

export type OutcomeKind = 'read' | 'scratch' | 'mutation_preview';
/**
 * `kept`: a scratch change that ran before a later statement failed (not rolled back, as in the DuckDB shell);
 * `discarded`: a write previewed before a later statement failed (never stored: nothing is pending).
 */
export type OutcomeStatus = 'ok' | 'kept' | 'discarded' | 'failed' | 'not_run';

export interface StatementOutcome {
  /** 1-based position in the script. */
  index: number;
  /** The line its first token is on, counted in the whole script. */
  line: number;
  kind: OutcomeKind;
  verb: string;
  /** read: rows returned; scratch: rows changed (null for DDL, which has no count); preview: rows it would change. */
  rows: number | null;
  elapsed_ms: number | null;
  status: OutcomeStatus;
  error?: string;
}

export interface ScriptContext {
  db: DinobaseDB;
  connection(): Promise<DuckConnection>;
  /** Builds a write's preview without storing it. */
  stage(statement: MutationStatement): Promise<StagedMutation | { error: string }>;
  signal?: AbortSignal;
  maxRows: number;
}

export interface ScriptRun {
  /** The last statement's head, unless it was a write. */
  head: HeadResult | null;
  staged: StagedMutation[];
  outcomes: StatementOutcome[];
  /** The statement that failed (0-based) and why; the ones after it did not run. */
  failure: { index: number; error: unknown } | null;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The `Count` DuckDB answers a CREATE TABLE AS, INSERT, UPDATE, DELETE or TRUNCATE with; null for other DDL. */
function changedRows(table: Table): number | null {
  const field = table.schema.fields[0];
  if (table.numRows !== 1 || table.schema.fields.length !== 1 || field?.name !== 'Count') return null;
  return Number(table.getChildAt(0)?.get(0));
}

function previewRows(preview: PreviewBody): number | null {
  return preview.rows_affected ?? preview.rows_to_insert ?? preview.rows_to_delete?.length ?? null;
}

function kindOf(statement: ReadStatement | MutationStatement): OutcomeKind {
  if (statement.kind === 'mutation') return 'mutation_preview';
  return SCRATCH_VERBS.has(statement.verb) ? 'scratch' : 'read';
}

/**
 * Runs the statements in order and stops at the first failure. Each goes to DuckDB alone, never the script's
 * text, and DuckDB itself confirms it reads one statement: even a lexer bug cannot run a second one. Earlier
 * statements run whole; the last one is read as a head of `maxRows` rows plus its exact total.
 */
export async function runScript(
  ctx: ScriptContext,
  statements: (ReadStatement | MutationStatement)[],
): Promise<ScriptRun> {
  const run: ScriptRun = { head: null, staged: [], outcomes: [], failure: null };
  const last = statements.length - 1;
  for (const [i, statement] of statements.entries()) {
    const outcome: StatementOutcome = {
      index: i + 1,
      line: statement.line,
      kind: kindOf(statement),
      verb: statement.verb,
      rows: null,
      elapsed_ms: null,
      status: 'not_run',
    };
    run.outcomes.push(outcome);
    if (run.failure) continue;
    const started = performance.now();
    try {
      if (statement.kind === 'mutation') {
        const staged = await ctx.stage(statement);
        if ('error' in staged) throw new StagedError(staged);
        run.staged.push(staged);
        outcome.rows = previewRows(staged.response.preview);
      } else {
        const conn = await ctx.connection();
        const shown = await showTablesSql(ctx.db, statement.tokens);
        const text = shown ?? statement.text;
        const scratch = outcome.kind === 'scratch';
        if (i < last) {
          const table = await conn.query(text, { signal: ctx.signal, single: true });
          outcome.rows = scratch ? changedRows(table) : table.numRows;
        } else {
          // Only the rows shown leave DuckDB (docs/ARCHITECTURE.md, Bounded results).
          const wrappable = !shown && WRAPPABLE.has(statement.verb);
          const head = await conn.queryHead(text, {
            signal: ctx.signal,
            single: true,
            maxRows: ctx.maxRows,
            wrappable,
          });
          run.head = head;
          outcome.rows = scratch ? changedRows(head.table) : head.totalRows;
        }
      }
      outcome.status = 'ok';
    } catch (error) {
      outcome.status = 'failed';
      run.failure = { index: i, error: error instanceof StagedError ? error.result : error };
    }
    outcome.elapsed_ms = round(performance.now() - started);
  }
  return run;
}

/** A preview that failed to build: its error result, carried as it is. */
class StagedError extends Error {
  constructor(readonly result: { error: string }) {
    super(result.error);
  }
}

/** Marks what a failure leaves: scratch changes stay (`kept`), previews are dropped (`discarded`). */
export function settleFailure(outcomes: StatementOutcome[], index: number, error: string): void {
  for (const outcome of outcomes) {
    if (outcome.index - 1 === index) outcome.error = error;
    else if (outcome.status === 'ok' && outcome.kind === 'scratch') outcome.status = 'kept';
    else if (outcome.status === 'ok' && outcome.kind === 'mutation_preview') outcome.status = 'discarded';
  }
}

/** Whether a statement that changes scratch ran, so the engine checkpoints (even after a later failure). */
export function scratchChanged(outcomes: StatementOutcome[]): boolean {
  return outcomes.some((o) => o.kind === 'scratch' && (o.status === 'ok' || o.status === 'kept'));
}
