// Runs one agent tool call on the engines (whatever the transport): validates, dispatches, answers JSON text, logs it.
import { toSqlTimestamp } from '../clock.ts';
import type { DinobaseDB } from '../db.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import { DinobaseError, errorMessage } from '../errors.ts';
import type { QueryEngine } from '../query/engine.ts';
import { loadFreshness } from '../query/freshness.ts';
import type { MutationEngine } from '../query/mutations.ts';
import { getSaved, listSaved } from '../meta/saved.ts';
import { annotate } from '../semantic/annotate.ts';
import type { SyncResult } from '../sync/engine.ts';
import {
  AnnotateArgs,
  CancelArgs,
  ConfirmArgs,
  ConfirmBatchArgs,
  DescribeArgs,
  QueryArgs,
  RefreshArgs,
  RunSavedQueryArgs,
  SavedQueriesArgs,
  TOOL_SPECS,
  toolSpec,
} from './specs.ts';

export { serverInstructions } from './instructions.ts';

/** The engines a tool call runs on: the tab's, or the headless engine's in Node. */
export interface AgentEngines {
  db: DinobaseDB;
  query: QueryEngine;
  mutations: MutationEngine;
  /** Syncs a registered source (SyncRunner), errors as results. */
  sync: { run(name: string): Promise<SyncResult> };
  /** The connector specs, for the join paths they declare. */
  connectors?: ConnectorRegistry;
}

export interface CallContext {
  /** The MCP client's name (clientInfo.name), recorded on the log and on mutations it creates. */
  client?: string;
  transport: 'stdio' | 'http' | 'webmcp' | 'library';
  /** "Agents may confirm writes": off, `confirm` and `--force` leave the write for a person in the app. */
  agentsMayConfirm: boolean;
  /** How long an agent's query may run (default AGENT_QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
}

/**
 * Agents' SQL is untrusted input: a runaway query must not hold the engine (the user's tab) for good. One
 * minute, well inside the /mcp bridge's own two-minute wait, so the agent gets DuckDB's clear "interrupted".
 */
export const AGENT_QUERY_TIMEOUT_MS = 60_000;

export interface ToolResult {
  text: string;
  isError: boolean;
}

type Payload = unknown;

/** A tool's answer: the engine's result, or an error result when it carries `error`. */
function answer(value: Payload): ToolResult {
  const isError =
    typeof value === 'object' &&
    value !== null &&
    'error' in value &&
    (value as { error: unknown }).error != null;
  return { text: JSON.stringify(value, null, 2), isError };
}

function failure(error: unknown): ToolResult {
  const code = error instanceof DinobaseError ? error.code : undefined;
  return answer({ error: errorMessage(error), ...(code ? { code } : {}) });
}

const SECRET_KEY = /key|token|secret|password|credential|authorization/i;
const LOGGED_ARGS_MAX = 4_000;

/** Arguments as logged: secret-named fields masked, long text cut. */
export function loggedArgs(args: unknown): string {
  const text = JSON.stringify(args ?? {}, (key, value: unknown) =>
    key && SECRET_KEY.test(key) ? '***' : value,
  );
  return text.length > LOGGED_ARGS_MAX ? `${text.slice(0, LOGGED_ARGS_MAX)}…` : text;
}

/** With the setting off: the write waits for a person; an unknown or finished mutation is named as such. */
async function confirmRefusal(mutations: MutationEngine, ids: string[]) {
  for (const id of ids) {
    const record = await mutations.get(id);
    if (!record) return { error: `Mutation '${id}' not found`, code: 'not_found' };
    if (record.status !== 'pending') {
      return { error: `Mutation '${id}' is ${record.status}, not pending`, code: 'refused' };
    }
  }
  return awaitingPerson(ids);
}

const awaitingPerson = (ids: string[]) => ({
  error:
    `A person must confirm ${ids.length > 1 ? 'these writes' : 'this write'} in the Dinobase app (Pending ` +
    `drawer): agents may not confirm writes here ("Agents may confirm writes" is off). ` +
    `${ids.map((id) => `'${id}'`).join(', ')} ${ids.length > 1 ? 'stay' : 'stays'} pending until then.`,
  code: 'refused',
  mutation_ids: ids,
  status: 'awaiting_person',
});

/** Agent SQL, typed or saved: untrusted, so the classifier, the time limit and previews for writes. */
async function runSql(engines: AgentEngines, sql: string, maxRows: number, ctx: CallContext) {
  const result = await engines.query.execute(sql, {
    maxRows,
    timeoutMs: ctx.queryTimeoutMs ?? AGENT_QUERY_TIMEOUT_MS,
    // A client that sent no name is still told apart from the app's own writes in the Pending drawer.
    client: ctx.client ?? ctx.transport,
    allowForce: ctx.agentsMayConfirm,
  });
  if ('elapsed_ms' in result) {
    const { elapsed_ms: _elapsed, ...rest } = result;
    return rest;
  }
  return result;
}

async function runSaved(engines: AgentEngines, name: string, maxRows: number, ctx: CallContext) {
  const saved = await getSaved(engines.db, name).catch(async (error: unknown) => {
    if (!(error instanceof DinobaseError) || error.code !== 'not_found') throw error;
    const known = (await listSaved(engines.db)).map((q) => q.name);
    return {
      error: `${error.message} Saved: ${known.length ? known.join(', ') : '(none)'}.`,
      code: 'not_found',
    };
  });
  if ('error' in saved) return saved;
  return runSql(engines, saved.sql, maxRows, ctx);
}

async function dispatch(engines: AgentEngines, name: string, args: unknown, ctx: CallContext) {
  switch (name) {
    case 'query': {
      const { sql, max_rows } = QueryArgs.parse(args);
      return runSql(engines, sql, max_rows, ctx);
    }
    case 'saved_queries': {
      const { search } = SavedQueriesArgs.parse(args);
      const saved = await listSaved(engines.db, { search });
      return {
        saved_queries: saved.map(({ name, sql, description, updated_at }) => ({
          name,
          sql,
          description,
          updated_at,
        })),
      };
    }
    case 'run_saved_query': {
      const { name: saved, max_rows } = RunSavedQueryArgs.parse(args);
      return runSaved(engines, saved, max_rows, ctx);
    }
    case 'list_connectors':
      return { connectors: (await engines.query.listSources()).sources };
    case 'describe':
      return engines.query.describeTable(DescribeArgs.parse(args).table);
    case 'annotate': {
      const { items } = AnnotateArgs.parse(args);
      const results = [];
      for (const item of items) results.push(await annotate(engines.db, item));
      return results.length === 1 ? results[0] : results;
    }
    case 'confirm': {
      const { mutation_id } = ConfirmArgs.parse(args);
      if (!ctx.agentsMayConfirm) return confirmRefusal(engines.mutations, [mutation_id]);
      return engines.mutations.confirm(mutation_id);
    }
    case 'confirm_batch': {
      const { mutation_ids } = ConfirmBatchArgs.parse(args);
      if (!ctx.agentsMayConfirm) return confirmRefusal(engines.mutations, mutation_ids);
      return engines.mutations.confirmBatch(mutation_ids);
    }
    case 'cancel':
      return engines.mutations.cancel(CancelArgs.parse(args).mutation_id);
    case 'refresh':
      return refresh(engines, RefreshArgs.parse(args).source);
  }
  throw new Error(`unreachable tool ${name}`);
}

async function refresh(engines: AgentEngines, source: string) {
  if (!(await engines.db.getSource(source))) {
    const known = (await engines.db.getSources()).map((s) => s.name);
    return {
      error: `Connector '${source}' not found.${known.length ? ` Registered: ${known.join(', ')}.` : ''}`,
      code: 'not_found',
    };
  }
  const result = await engines.sync.run(source);
  const f = (await loadFreshness(engines.db)).get(source);
  const out = {
    status: result.status,
    tables_synced: result.tables_synced,
    rows_synced: result.rows_synced,
    error: result.error,
    freshness: f
      ? {
          last_sync: f.last_sync,
          age: f.age,
          is_stale: f.is_stale,
          freshness_threshold: f.freshness_threshold,
        }
      : null,
  };
  // The original's shape either way: a failed sync is a tool error because its `error` is set.
  return out;
}

/**
 * Runs tool `name` with `args` (validated by its spec's schema). Never throws: a bad call or an engine failure
 * is a tool error whose text is `{"error": …}`. Every call is logged in `_dinobase.agent_log`, just after it answers.
 */
export async function runTool(
  engines: AgentEngines,
  name: string,
  args: unknown,
  ctx: CallContext,
): Promise<ToolResult> {
  // The previous call's log row goes in first, so a call (or a log read) sees every earlier call logged.
  await loggedSoFar(engines.db);
  const started = performance.now();
  let result: ToolResult;
  const spec = toolSpec(name);
  if (!spec) {
    result = answer({
      error: `Unknown tool '${name}'. Available: ${TOOL_SPECS.map((t) => t.name).join(', ')}.`,
      code: 'invalid_argument',
    });
  } else {
    const parsed = spec.inputSchema.safeParse(args ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`)
        .join('; ');
      result = answer({ error: `Invalid arguments for ${name}: ${problems}`, code: 'invalid_argument' });
    } else {
      try {
        result = answer(await dispatch(engines, name, parsed.data, ctx));
      } catch (error) {
        result = failure(error);
      }
    }
  }
  // Logged after answering: the insert is a write transaction the agent need not wait for.
  logging.set(engines.db, logCall(engines.db, name, args, ctx, performance.now() - started, result));
  return result;
}

/** Each database's latest log write still in flight (logCall never rejects). */
const logging = new WeakMap<DinobaseDB, Promise<void>>();

/** Waits until every call answered so far is in `_dinobase.agent_log`. */
export async function loggedSoFar(db: DinobaseDB): Promise<void> {
  await logging.get(db);
}

/** Rows the log keeps; older ones go, checked every PRUNE_EVERY calls so a call rarely pays for it. */
export const AGENT_LOG_KEEP = 10_000;
const PRUNE_EVERY = 500;
const callsSincePrune = new WeakMap<DinobaseDB, number>();

async function pruneLog(db: DinobaseDB): Promise<void> {
  const calls = (callsSincePrune.get(db) ?? 0) + 1;
  callsSincePrune.set(db, calls % PRUNE_EVERY);
  if (calls < PRUNE_EVERY) return;
  await db.exclusive((conn) =>
    conn.query(`DELETE FROM _dinobase.agent_log WHERE rowid NOT IN
      (SELECT rowid FROM _dinobase.agent_log ORDER BY called_at DESC, rowid DESC LIMIT ${AGENT_LOG_KEEP})`),
  );
}

async function logCall(
  db: DinobaseDB,
  tool: string,
  args: unknown,
  ctx: CallContext,
  durationMs: number,
  result: ToolResult,
): Promise<void> {
  const error = result.isError ? (JSON.parse(result.text) as { error?: unknown }).error : null;
  // Not checkpointed on its own (the next write's checkpoint takes it along): a call must not pay for a disk
  // flush, and a log row lost with a crashed browser costs nothing. A read-only database cannot log at all.
  await db
    .exclusive((conn) =>
      conn.queryParams(
        `INSERT INTO _dinobase.agent_log (called_at, tool, args, duration_ms, outcome, error, client, transport)
         VALUES (?::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?)`,
        [
          toSqlTimestamp(db.clock.now()),
          tool,
          loggedArgs(args),
          Math.round(durationMs * 100) / 100,
          result.isError ? 'error' : 'ok',
          error == null ? null : String(error),
          ctx.client ?? null,
          ctx.transport,
        ],
      ),
    )
    .then(() => pruneLog(db))
    .catch(() => undefined);
}

export interface AgentLogEntry {
  at: string;
  tool: string;
  args: string;
  duration_ms: number;
  outcome: 'ok' | 'error';
  error: string | null;
  client: string | null;
  transport: string;
}

/** `_dinobase.agent_log`, newest first. */
export async function readAgentLog(db: DinobaseDB, limit = 100): Promise<AgentLogEntry[]> {
  const n = Math.max(1, Math.min(Math.floor(limit) || 100, 1000));
  await loggedSoFar(db);
  const rows = await db.query(
    `SELECT strftime(called_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at, tool, args, duration_ms, outcome, error, client, transport
     FROM _dinobase.agent_log ORDER BY called_at DESC, rowid DESC LIMIT ${n}`,
  );
  return rows.map((r) => ({
    at: String(r.at),
    tool: String(r.tool),
    args: String(r.args ?? ''),
    duration_ms: Number(r.duration_ms),
    outcome: r.outcome === 'ok' ? 'ok' : 'error',
    error: r.error == null ? null : String(r.error),
    client: r.client == null ? null : String(r.client),
    transport: String(r.transport),
  }));
}
