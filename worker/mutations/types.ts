// The data a mutation carries from preview to write-back: the plan (typed values), per-row results, and the records.
import type { ErrorCode } from '../errors.ts';
import type { JsonValue } from '../values.ts';
import type { PreviewBody } from './preview.ts';

export type Operation = 'insert' | 'update' | 'delete';

export type MutationStatus = 'pending' | 'executing' | 'executed' | 'failed' | 'cancelled' | 'expired';

/** One row the write-back will send: everything needed without re-reading the local table. */
export interface PlannedRow {
  /** Position in the plan; with the mutation id it makes the row's idempotency key. */
  index: number;
  /** The row's value of the write endpoint's id_field (cus_123, 42, a HubSpot id); null for inserts. */
  id: string | null;
  /** Primary-key column → value, to find the local row again after the API answers. */
  key: Record<string, JsonValue>;
  /** The local row's values for every column the write endpoint's path or variables name (e.g. _repos_full_name). */
  scope: Record<string, JsonValue>;
  /** update: the SET columns' values at preview time; delete: the whole local row; insert: null. */
  before: Record<string, JsonValue> | null;
  /** update: the SET columns' new values (evaluated by DuckDB); insert: the VALUES row; delete: null. */
  after: Record<string, JsonValue> | null;
}

export interface MutationPlan {
  mutation_id: string;
  /** The schema = the registered source's name. */
  source: string;
  /** The connector type (stripe, hubspot, github, linear, ...). */
  source_type: string;
  table: string;
  operation: Operation;
  /** update: the SET columns; insert: the column list; delete: []. */
  columns: string[];
  rows: PlannedRow[];
}

export type RowState = 'pending' | 'sending' | 'ok' | 'failed' | 'skipped' | 'stale';

export interface RowResult {
  index: number;
  id: string | null;
  /** `stale`: the record changed at the source since the preview, so nothing was written. */
  status: 'ok' | 'failed' | 'skipped' | 'stale';
  /** The status the API answered the write with; absent when no write was sent (or its answer was lost). */
  http_status?: number;
  error?: string;
  /** e.g. "already applied", "already deleted at the source", "changed since preview: name was …, now …". */
  note?: string;
  /** What happened to the local copy: only rows the API accepted are changed locally. */
  local?: 'updated' | 'inserted' | 'deleted' | 'not_synced' | 'unchanged';
  /** The id the API assigned (inserts). */
  created_id?: string;
}

export interface MutationPreview {
  mutation_id: string;
  status: 'pending_confirmation';
  preview: PreviewBody;
  expires_at: string;
  confirm: string;
  /** Why a `--force` did not execute it. */
  message?: string;
}

export interface ConfirmResult {
  status: 'executed' | 'failed';
  mutation_id: string;
  operation: string;
  source: string;
  table: string;
  api_write_back: {
    total_rows: number;
    /** Writes sent and answered; the re-reads before them are not counted. */
    api_calls: number;
    succeeded: number;
    failed: number;
    /** Rows changed at the source since the preview: not written. */
    stale: number;
    details: RowResult[];
  };
  local_update: { method: 'api_response'; rows_changed: number };
}

export interface MutationRecord {
  mutation_id: string;
  connector_name: string;
  table_name: string;
  operation: string;
  sql_text: string;
  preview: PreviewBody | null;
  status: MutationStatus;
  created_at: string;
  expires_at: string | null;
  confirmed_at: string | null;
  executed_at: string | null;
  result: ConfirmResult | null;
  error_message: string | null;
  batch_id: string | null;
  /** The client that created it (an MCP client's name), or null for the app and the library. */
  client: string | null;
  /** An `executing` mutation no confirm in this engine is running: the page closed mid-write; confirm resumes it. */
  interrupted?: boolean;
}

export interface BatchPreview {
  batch_id: string;
  status: 'pending_confirmation';
  statements: number;
  valid: number;
  errors: { sql: string; error: string }[] | null;
  sources_involved: string[];
  mutations: MutationPreview[];
  confirm: string;
}

export interface MutationFailure {
  error: string;
  code?: ErrorCode;
  rows_affected?: number;
  details?: { sql: string; error: string }[];
}

export interface BatchResult {
  status: 'batch_executed';
  total: number;
  succeeded: number;
  failed: number;
  results: (ConfirmResult | MutationFailure)[];
}
