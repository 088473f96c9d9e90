// The whole worker contract: the UI sees exactly this interface as Comlink.Remote<EngineApi>.
import type { ErrorResult, ArrowQueryResult, MutationResponse, QueryResult } from './query/engine.ts';
import type { SourceSummary, TableDescription } from './query/catalog.ts';
import type { SourceConfig, StoredSource } from './meta/sources.ts';
import type { SyncProgress, SyncResult } from './sync/engine.ts';
import type {
  BatchPreview,
  BatchResult,
  ConfirmResult,
  MutationFailure,
  MutationPreview,
  MutationRecord,
} from './query/mutations.ts';
import type { RowResult } from './mutations/types.ts';

export type {
  ArrowQueryResult,
  BatchPreview,
  BatchResult,
  ConfirmResult,
  MutationFailure,
  MutationPreview,
  MutationRecord,
  RowResult,
  ErrorResult,
  MutationResponse,
  QueryResult,
  SourceConfig,
  SourceSummary,
  StoredSource,
  SyncProgress,
  SyncResult,
  TableDescription,
};

/** What the UI needs to offer a connector: never a secret, only which fields to ask for. */
export interface ConnectorInfo {
  name: string;
  description: string;
  docs_url: string | null;
  base_url: string;
  credentials: { name: string; description: string; secret: boolean }[];
  resources: { name: string; description: string; incremental: boolean; selected: boolean }[];
}

export interface SyncRequest {
  /** A registered source (see addSource). */
  name: string;
  /**
   * Direct mode only (Node, tests): credentials for this run, held in memory and never written to DuckDB
   * or OPFS. The browser worker syncs through the proxy relay, which holds every source's credentials and
   * injects them server-side; there the worker never sends secrets and uses only non-secret fields here.
   */
  credentials?: Record<string, string>;
  timeoutMs?: number;
  onProgress?: (progress: SyncProgress) => void;
}

export interface EngineInfo {
  /** DuckDB's version string, e.g. "v1.4.3". */
  version: string;
  path: string;
  /** True on OPFS: committed work survives reloads and browser restarts. */
  persistent: boolean;
}

export interface QueryRequest {
  sql: string;
  /** Rows returned at most (default 200); `total_rows` still counts them all. */
  maxRows?: number;
  timeoutMs?: number;
  /** Lets `cancel({queryId})` interrupt this query. */
  queryId?: string;
  /** UPDATE/DELETE previews refuse to touch more rows than this (default 50). */
  maxAffectedRows?: number;
}

export interface SampleProgress {
  source: string;
  table: string;
  rows: number;
  done: number;
  total: number;
}

export interface SampleLoadResult {
  sources: { name: string; tables: number; rows: number }[];
  rows_loaded: number;
  elapsed_ms: number;
}

export interface RawTiming {
  /** Milliseconds for each run of the raw duckdb-wasm `conn.query`, inside the worker. */
  runs: number[];
  rows: number;
}

export interface EngineApi {
  /** Opens (and migrates) the database; safe to call more than once. */
  open(): Promise<EngineInfo>;
  /** The agent form: rows as JSON-safe objects, the seed's result shape. */
  execute(request: QueryRequest): Promise<QueryResult | ErrorResult | MutationResponse>;
  /** The grid form: the same result with rows as transferred Arrow IPC bytes. */
  runQuery(request: QueryRequest): Promise<ArrowQueryResult | ErrorResult | MutationResponse>;
  cancel(request: { queryId: string }): Promise<boolean>;
  listSources(): Promise<{ sources: SourceSummary[] }>;
  describeTable(request: { table: string }): Promise<TableDescription | ErrorResult>;
  /** Loads the deterministic RevOps sample (Stripe + HubSpot) through Arrow, replacing those schemas' tables. */
  loadSampleData(request: { onProgress?: (progress: SampleProgress) => void }): Promise<SampleLoadResult>;
  listConnectors(): Promise<ConnectorInfo[]>;
  addSource(request: SourceConfig): Promise<StoredSource>;
  removeSource(request: { name: string; dropData?: boolean }): Promise<boolean>;
  getSources(): Promise<StoredSource[]>;
  /** Syncs one registered source; returns the seed's SyncResult (errors are results, not throws). */
  sync(request: SyncRequest): Promise<SyncResult>;
  /** Previews UPDATE/INSERT/DELETE statements (the same as running them as a query); nothing is written yet. */
  previewMutation(request: {
    sql: string;
    maxAffectedRows?: number;
  }): Promise<MutationPreview | BatchPreview | MutationFailure>;
  /** Writes a previewed mutation to the source's API, then to the local table; never twice. */
  confirmMutation(request: {
    mutationId: string;
    onRow?: (row: RowResult) => void;
  }): Promise<ConfirmResult | MutationFailure>;
  confirmBatch(request: { mutationIds: string[] }): Promise<BatchResult>;
  cancelMutation(request: {
    mutationId: string;
  }): Promise<{ status: 'cancelled'; mutation_id: string } | MutationFailure>;
  /** Pending mutations, and interrupted ones a confirm resumes. */
  listPendingMutations(): Promise<MutationRecord[]>;
  /** The audit log in `_dinobase.mutations`, newest first. */
  mutationHistory(request: { limit?: number }): Promise<MutationRecord[]>;
  /** For `npm run bench`: times duckdb-wasm's own `conn.query` in this worker, the baseline for the query path. */
  rawQueryTiming(request: { sql: string; runs: number }): Promise<RawTiming>;
}
