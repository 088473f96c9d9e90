// The whole worker contract: the UI sees exactly this interface as Comlink.Remote<EngineApi>.
import type { DuckDBDriver } from '../common/duckdb-driver.ts';
import type {
  ErrorResult,
  ArrowQueryResult,
  ForcedResponse,
  MutationResponse,
  QueryResult,
  ScriptError,
  ScriptPreview,
  StatementOutcome,
} from './query/engine.ts';
import type { CatalogSource, TableDescription } from './query/catalog.ts';
import type { SourceConfig, StoredSource } from './meta/sources.ts';
import type { SaveQueryRequest, SavedQuery } from './meta/saved.ts';
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
import type { SourceSyncStatus, SyncEvent, SyncLogEntry, SyncTrigger } from './sync/runner.ts';
import type { BackupFile, DatabaseSize, RestoreResult } from './storage.ts';
import type { AgentLogEntry, CallContext, ToolResult } from './agent/tools.ts';
import type { RelatedTable } from './semantic/relationships.ts';
import type { ExportFormat, ExportRequest, ExportResult } from './export/export.ts';
import type {
  CsvOptions,
  FileFormat,
  ImportedFile,
  ImportFileRequest,
  ImportFileResult,
  ImportProgress,
} from './files/import.ts';
import type { TeamDataset, TeamSelection } from './team/engine.ts';

export type {
  CsvOptions,
  FileFormat,
  ImportedFile,
  ImportFileRequest,
  ImportFileResult,
  ImportProgress,
  AgentLogEntry,
  ExportFormat,
  ExportResult,
  CallContext,
  RelatedTable,
  ToolResult,
  ArrowQueryResult,
  BatchPreview,
  BatchResult,
  ConfirmResult,
  MutationFailure,
  MutationPreview,
  MutationRecord,
  RowResult,
  ErrorResult,
  ForcedResponse,
  MutationResponse,
  QueryResult,
  ScriptError,
  ScriptPreview,
  StatementOutcome,
  SaveQueryRequest,
  SavedQuery,
  SourceConfig,
  CatalogSource,
  StoredSource,
  SyncProgress,
  SyncResult,
  TableDescription,
  BackupFile,
  DatabaseSize,
  RestoreResult,
  SourceSyncStatus,
  SyncEvent,
  SyncLogEntry,
  SyncTrigger,
  TeamDataset,
  TeamSelection,
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
  /**
   * Milliseconds opening took, by step (browser only); `connect_ms` is the reads' connection after the open (the
   * migration check runs later, on the first call that touches `_dinobase`).
   * `driver` names the DuckDB-WASM bindings that ran (StartupTimings in worker/duckdb/types.ts).
   */
  startup?: { driver: DuckDBDriver; instantiate_ms: number; open_ms: number; connect_ms: number };
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
  /** The editor line the SQL starts on (a selection's), so a script's outcomes name editor lines (default 1). */
  firstLine?: number;
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

export interface EngineApi {
  /** Opens (and migrates) the database; safe to call more than once. */
  open(): Promise<EngineInfo>;
  /**
   * Interrupts running queries, checkpoints and closes the database, so another tab can open the OPFS
   * file (it is exclusive); `open()` opens it again. Other calls would reopen it, so callers stop first.
   */
  close(): Promise<void>;
  /** The agent form: rows as JSON-safe objects, the seed's result shape; a trailing `--force` executes a write. */
  execute(
    request: QueryRequest,
  ): Promise<QueryResult | ErrorResult | MutationResponse | ForcedResponse | ScriptPreview>;
  /** The grid form: the same result with rows as transferred Arrow IPC bytes. */
  runQuery(request: QueryRequest): Promise<ArrowQueryResult | ErrorResult | MutationResponse | ScriptPreview>;
  cancel(request: { queryId: string }): Promise<boolean>;
  listSources(): Promise<{ sources: CatalogSource[] }>;
  describeTable(request: { table: string }): Promise<TableDescription | ErrorResult>;
  /**
   * Loads the deterministic RevOps sample (Stripe + HubSpot) through Arrow, replacing those schemas' tables.
   * A source holding synced data is replaced only with `replace: true`; otherwise this rejects with a
   * ConfigError code `would_replace` whose message names those sources. Writes no sync-log row.
   */
  loadSampleData(request: {
    replace?: boolean;
    onProgress?: (progress: SampleProgress) => void;
  }): Promise<SampleLoadResult>;
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
  /** Stops the source's running sync (manual or scheduled); nothing it fetched is kept. False if it was not syncing. */
  cancelSync(request: { name: string }): Promise<boolean>;
  /**
   * Sets how often the source syncs on its own while the app is open ("5s", "15m", "1h", "1d"); null or ''
   * turns scheduling off. Stored as the source's `sync_interval`.
   */
  setSyncInterval(request: { name: string; interval: string | null }): Promise<SourceSyncStatus>;
  /** Every registered source's interval, next scheduled run, running sync and latest result. */
  syncStatus(): Promise<SourceSyncStatus[]>;
  /** `_dinobase.sync_log`, newest first, for one source or all: durations, rows, errors. */
  syncHistory(request: { name?: string; limit?: number }): Promise<SyncLogEntry[]>;
  /** Calls `onEvent` (a Comlink.proxy) with every sync's start, progress and result; returns an id for unwatchSyncs. */
  watchSyncs(request: { onEvent: (event: SyncEvent) => void }): Promise<string>;
  unwatchSyncs(request: { watchId: string }): Promise<boolean>;
  /** The datasets the proxy publishes (`GET /api/datasets`), each with what this database pulled of it. */
  listTeamData(): Promise<TeamDataset[]>;
  /**
   * Makes each selection the source's working set (a source of the publisher's type, marked as team data, with
   * its refresh interval) and pulls it through the sync runner, one source after the other: results are
   * SyncResults and `sync({name})` refreshes a team source on demand. A failed pull keeps the previous tables.
   */
  pullTeamData(request: {
    selections: TeamSelection[];
    onProgress?: (progress: SyncProgress) => void;
  }): Promise<SyncResult[]>;
  /** `PRAGMA database_size`, with the sizes in bytes. */
  databaseSize(): Promise<DatabaseSize>;
  /**
   * CHECKPOINT, close DuckDB, read the database file, reopen; the bytes are transferred. Refused while a sync
   * runs, and in memory (NotReadyError 'not_persistent').
   */
  backup(): Promise<BackupFile>;
  /**
   * Replaces all data with a backup (checked for DuckDB's header): DuckDB attaches it read-only and copies it
   * in (`COPY FROM DATABASE`) in one transaction, then the migrations run; a file that does not open or copy
   * changes nothing and rejects with the reason. Refused while a sync runs.
   */
  restore(request: { bytes: Uint8Array }): Promise<RestoreResult>;
  /** Deletes everything (every source's data, the sync log, mutations): on OPFS the file itself, then opens an empty one. */
  clearAllData(): Promise<void>;
  /**
   * Runs an agent tool (`worker/agent/specs.ts`) here, for a bridge (HTTP /mcp, WebMCP): JSON text, and a tool
   * error rather than a throw. Logged in `_dinobase.agent_log` with the client and transport.
   */
  agentTool(request: { name: string; args: unknown } & CallContext): Promise<ToolResult>;
  /** The MCP server's instructions for this database: sources, freshness, which tools to call. */
  agentInstructions(): Promise<string>;
  /** `_dinobase.agent_log`, newest first. */
  agentLog(request: { limit?: number }): Promise<AgentLogEntry[]>;
  /**
   * Saved queries (`_dinobase.saved_queries`), by name; `search` keeps those whose name or SQL contains it (any
   * case). Names are trimmed, 1..120 characters; errors are ConfigErrors: `not_found`, `would_replace` (a taken
   * name), `invalid_argument`. User SQL cannot write `_dinobase`: these methods are the only writers.
   */
  listSavedQueries(request: { search?: string }): Promise<SavedQuery[]>;
  getSavedQuery(request: { name: string }): Promise<SavedQuery>;
  /** Creates the query, or replaces it with `overwrite: true` (created_at kept); without it a taken name is refused. */
  saveQuery(request: SaveQueryRequest): Promise<SavedQuery>;
  renameSavedQuery(request: { from: string; to: string }): Promise<SavedQuery>;
  /** Copies it as "name (copy)", or "(copy 2)"… when that is taken; returns the copy. */
  duplicateSavedQuery(request: { name: string }): Promise<SavedQuery>;
  /** Returns what was deleted. */
  deleteSavedQuery(request: { name: string }): Promise<SavedQuery>;
  /**
   * Imports a local file (CSV/TSV, JSON, NDJSON, Parquet, .duckdb) into `files.<table>`, read from its handle
   * (never whole in memory) into staging and swapped in by one transaction: a malformed file rejects with an
   * ImportError (code `bad_file`) naming the file and the line or byte, and leaves nothing behind. A taken name
   * needs `mode` ('replace' | 'append'), else ConfigError `would_replace`. Progress goes to `onProgress`.
   */
  importFile(request: ImportFileRequest): Promise<ImportFileResult>;
  /** Renames a table of the `files` source; ConfigError `not_found`, `would_replace` or `invalid_argument`. */
  renameFileTable(request: { from: string; to: string }): Promise<ImportedFile>;
  /** Drops a `files` table and its file row in one transaction; returns what was removed. ConfigError `not_found`. */
  removeFileTable(request: { table: string }): Promise<ImportedFile>;
  /** The `files` source's tables and the file each came from. */
  listImportedFiles(): Promise<ImportedFile[]>;
  /**
   * Exports a read's whole result (`sql`, through the query classifier: reads only) or a whole table as
   * Parquet (zstd), JSON, NDJSON or CSV. The bytes arrive in order through `onChunk` (a Comlink.proxy; each
   * chunk's buffer is transferred) and the next batch is read from DuckDB only after it settles; `queryId`
   * lets `cancel` stop it. Resolves once the last chunk was taken.
   */
  exportData(request: ExportDataRequest): Promise<ExportResult>;
}

export interface ExportDataRequest extends ExportRequest {
  onChunk: (chunk: Uint8Array) => Promise<void> | void;
  queryId?: string;
}
