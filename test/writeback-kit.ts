// Write-back test helpers: a WriteBack on the harness sandboxes, hand-built plans read from the synced rows.
import { expect } from 'vitest';
import type { RequestRecord } from '../proxy/sandbox/index.ts';
import type { DinobaseDB } from '../worker/db.ts';
import type { MutationPlan, PlannedRow } from '../worker/mutations/types.ts';
import { WriteBack, type WriteBackOptions } from '../worker/mutations/writer.ts';
import { qualified, quoteIdent } from '../worker/sql.ts';
import { directTransport } from '../worker/sync/transport.ts';
import type { JsonRow, JsonValue } from '../worker/values.ts';
import type { Harness } from './harness.ts';

export type Vendor = 'stripe' | 'hubspot' | 'github' | 'linear';

export interface Wire {
  method: string;
  url: string;
  headers: Headers;
  body: string | null;
}

/** A WriteBack straight to the harness sandboxes; `wire` records every request it puts on the network. */
export function writeBackFor(
  h: Harness,
  options: Partial<WriteBackOptions> & { wire?: Wire[]; fetch?: typeof fetch } = {},
): WriteBack {
  const inner = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const recording: typeof fetch = (input, init) => {
    options.wire?.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : null,
    });
    return inner(input, init);
  };
  return new WriteBack(h.db, {
    transport: directTransport(recording),
    connectors: h.engine.connectors,
    clock: h.clock,
    credentials: (source) => h.sandboxes.credentials[source as Vendor],
    baseUrl: (source) => h.base(source as Vendor),
    retry: { baseDelayMs: 10 },
    ...options,
  });
}

let sequence = 0;
export const mutationId = () => `mut_test_${Date.now().toString(36)}_${++sequence}`;

/** The local row with this key, as DuckDB returns it. */
export async function localRow(
  db: DinobaseDB,
  source: string,
  table: string,
  key: Record<string, JsonValue>,
): Promise<JsonRow | undefined> {
  const columns = Object.keys(key);
  const [row] = await db.query(
    `SELECT * FROM ${qualified(source, table)} WHERE ${columns.map((c) => `${quoteIdent(c)} = ?`).join(' AND ')}`,
    columns.map((c) => key[c] as string | number),
  );
  return row;
}

const pick = (row: JsonRow, columns: string[]) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));

export interface RowSpec {
  key: Record<string, JsonValue>;
  /** The write endpoint's id_field column (default id). */
  idColumn?: string;
  /** Columns the write endpoint's path names (e.g. _repos_full_name, number). */
  scope?: string[];
}

async function planned(
  db: DinobaseDB,
  source: string,
  table: string,
  spec: RowSpec,
  index: number,
  values: (row: JsonRow) => Pick<PlannedRow, 'before' | 'after'>,
): Promise<PlannedRow> {
  const row = await localRow(db, source, table, spec.key);
  expect(row, `${source}.${table} ${JSON.stringify(spec.key)} is synced`).toBeDefined();
  return {
    index,
    id: String(row![spec.idColumn ?? 'id']),
    key: spec.key,
    scope: pick(row!, spec.scope ?? []),
    ...values(row!),
  };
}

/** An UPDATE plan, with `before` read from the synced rows as the preview would. */
export async function updatePlan(
  db: DinobaseDB,
  target: { source: Vendor; table: string },
  rows: (RowSpec & { set: Record<string, JsonValue> })[],
): Promise<MutationPlan> {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.set)))];
  return {
    mutation_id: mutationId(),
    source: target.source,
    source_type: target.source,
    table: target.table,
    operation: 'update',
    columns,
    rows: await Promise.all(
      rows.map((r, i) =>
        planned(db, target.source, target.table, r, i, (row) => ({
          before: pick(row, Object.keys(r.set)),
          after: r.set,
        })),
      ),
    ),
  };
}

export async function deletePlan(
  db: DinobaseDB,
  target: { source: Vendor; table: string },
  rows: RowSpec[],
): Promise<MutationPlan> {
  return {
    mutation_id: mutationId(),
    source: target.source,
    source_type: target.source,
    table: target.table,
    operation: 'delete',
    columns: [],
    rows: await Promise.all(
      rows.map((r, i) =>
        planned(db, target.source, target.table, r, i, (row) => ({ before: row, after: null })),
      ),
    ),
  };
}

export function insertPlan(
  target: { source: Vendor; table: string },
  rows: Record<string, JsonValue>[],
  scope: string[] = [],
): MutationPlan {
  return {
    mutation_id: mutationId(),
    source: target.source,
    source_type: target.source,
    table: target.table,
    operation: 'insert',
    columns: [...new Set(rows.flatMap((r) => Object.keys(r)))],
    rows: rows.map((after, index) => ({
      index,
      id: null,
      key: {},
      scope: pick(after, scope),
      before: null,
      after,
    })),
  };
}

/** Requests that changed something at the sandbox (everything but reads). */
export function writesIn(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter((r) => r.method !== 'GET');
}
