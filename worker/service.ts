// Builds the engines from their parts and implements EngineApi; the worker entry only exposes it.
import * as Comlink from 'comlink';
import { ipcTransfer } from '../common/arrow.ts';
import type { EngineApi, EngineInfo } from './api.ts';
import { DinobaseDB } from './db.ts';
import {
  QueryEngine,
  isErrorResult,
  isForcedResponse,
  isMutationResponse,
  isScriptPreview,
  type ExecuteOptions,
} from './query/engine.ts';
import { loadSampleData } from './sample/load.ts';
import { WriteBack } from './mutations/writer.ts';
import { MutationEngine } from './query/mutations.ts';
import { SyncEngine } from './sync/engine.ts';
import { TeamEngine } from './team/engine.ts';
import { directTransport, relayTransport } from './sync/transport.ts';
import { MutationError, NotReadyError } from './errors.ts';
import { SyncRunner } from './sync/runner.ts';
import type { ScheduleOptions } from './sync/scheduler.ts';
import { DatabaseStorage, opfsFileName, type DatabaseFiles } from './storage.ts';
import { opfsFiles } from './storage-opfs.ts';
import { deleteSaved, duplicateSaved, getSaved, listSaved, renameSaved, saveQuery } from './meta/saved.ts';
import { readAgentLog, runTool, serverInstructions, type AgentEngines } from './agent/tools.ts';
import { exportData } from './export/export.ts';
import { importFile, listImportedFiles, removeFileTable, renameFileTable } from './files/import.ts';
import type { LoadParquetWasm } from './parquet/types.ts';

export interface ServiceOptions {
  db?: DinobaseDB;
  /** What sync requests are sent with; default globalThis.fetch. */
  fetch?: typeof fetch;
  /**
   * Sync through the Dinobase proxy at `origin` (the browser: credentials stay on the proxy). Without it,
   * syncs go straight to each vendor with the credentials passed to `sync`.
   */
  relay?: { origin: string };
  /** Direct mode only: the credentials write-backs use per source (the proxy holds them in relay mode). */
  credentials?: (source: string) => Record<string, string> | undefined;
  /** Sync sources that have a `sync_interval` on their own while the engine is open (the browser tab). */
  schedule?: ScheduleOptions;
  /** Where team data is published (`/api/datasets`); default: the relay's origin. */
  team?: { origin: string };
  /** The database file for backup, restore and clear; default: the OPFS file of an `opfs://` database, else none. */
  files?: DatabaseFiles | null;
  /** parquet-wasm for Parquet import and export; default: the platform's build ("#parquet"), loaded on first use. */
  loadParquet?: LoadParquetWasm;
}

export function createEngineService(options: ServiceOptions = {}): EngineApi {
  const db = options.db ?? new DinobaseDB();
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const transport = options.relay
    ? relayTransport({ origin: options.relay.origin, fetch: fetchImpl })
    : directTransport(fetchImpl);
  const syncs = new SyncEngine(db, { fetch: fetchImpl, transport });
  const writer = new WriteBack(db, {
    transport,
    connectors: syncs.connectors,
    clock: db.clock,
    credentials: options.credentials,
  });
  const mutations = new MutationEngine(db, { connectors: syncs.connectors, writer });
  const queries = new QueryEngine(db, { mutations, connectors: syncs.connectors });
  const running = new Map<string, AbortController>();
  const loadParquet: LoadParquetWasm =
    options.loadParquet ?? (async () => (await import('#parquet')).loadParquetWasm());
  const team = new TeamEngine(db, {
    origin: options.team?.origin ?? options.relay?.origin ?? null,
    fetch: fetchImpl,
    parquet: loadParquet,
  });
  // A team source is pulled from the proxy, never synced from its vendor; either way through the one runner.
  const pullOrSync: Pick<SyncEngine, 'sync'> = {
    sync: async (name, config, o) =>
      (await team.isTeam(name)) ? team.pull(name, config.resources ?? null, o) : syncs.sync(name, config, o),
  };
  const runner = new SyncRunner(db, pullOrSync, { credentials: options.credentials });
  const agents: AgentEngines = { db, query: queries, mutations, sync: runner, connectors: syncs.connectors };
  const watchers = new Map<string, () => void>();
  let watchCount = 0;
  const fileName = opfsFileName(db.path);
  const storage = new DatabaseStorage(db, {
    files: options.files !== undefined ? options.files : fileName ? opfsFiles(fileName) : null,
    // Nothing may hold the database while its file is read or replaced: no sync, no scheduler, no query.
    async quiesce() {
      await runner.stop();
      const busy = runner.busyReason();
      if (busy) {
        if (options.schedule) runner.start(options.schedule);
        throw new NotReadyError('busy', `The database is in use: ${busy}`);
      }
      for (const controller of running.values())
        controller.abort(new Error('the database is being replaced'));
      return () => {
        if (options.schedule) runner.start(options.schedule);
      };
    },
  });
  let info: Promise<EngineInfo> | null = null;

  /** Registers the query under its id so `cancel` can reach it, and forgets it when it settles. */
  async function withCancel<T>(
    queryId: string | undefined,
    run: (options: ExecuteOptions) => Promise<T>,
  ): Promise<T> {
    if (!queryId) return run({});
    const controller = new AbortController();
    running.set(queryId, controller);
    try {
      return await run({ signal: controller.signal });
    } finally {
      running.delete(queryId);
    }
  }

  return {
    open() {
      info ??= (async () => {
        const started = performance.now();
        // The open and its lockdown, and the reads' connection: the first query needs no round trip more. The
        // migration check waits for the first call that touches `_dinobase` (the page asks those once idle), so
        // a query run the moment the tab is ready reaches DuckDB ahead of it, not behind it.
        await queries.connect();
        if (options.schedule) runner.start(options.schedule);
        const database = await db.database();
        const { version, path, persistent, startup } = database;
        const total = performance.now() - started;
        return {
          version,
          path,
          persistent,
          startup: startup && {
            ...startup,
            connect_ms: Math.max(0, total - startup.instantiate_ms - startup.open_ms),
          },
        };
      })().catch((error: unknown) => {
        info = null;
        throw error;
      });
      return info;
    },
    async close() {
      const opened = info;
      info = null;
      // The scheduler would reopen the database; its running syncs stop as a cancel would.
      for (const name of runner.active) runner.cancel(name);
      await runner.stop();
      for (const controller of running.values())
        controller.abort(new Error('the database moved to another tab'));
      // Checkpoint only a database that opened: checkpoint() would otherwise open it just to close it.
      if (await opened?.then(() => true).catch(() => false)) await db.checkpoint().catch(() => undefined);
      await db.close();
    },
    execute({ sql, maxRows, timeoutMs, queryId, maxAffectedRows, firstLine }) {
      return withCancel(queryId, (o) =>
        queries.execute(sql, { ...o, maxRows, timeoutMs, maxAffectedRows, firstLine }),
      );
    },
    async runQuery({ sql, maxRows, timeoutMs, queryId, maxAffectedRows, firstLine }) {
      const result = await withCancel(queryId, (o) =>
        queries.executeArrow(sql, { ...o, maxRows, timeoutMs, maxAffectedRows, firstLine }),
      );
      if (isErrorResult(result) || isMutationResponse(result) || isScriptPreview(result)) return result;
      return Comlink.transfer(result, ipcTransfer(result.ipc));
    },
    async cancel({ queryId }) {
      const controller = running.get(queryId);
      controller?.abort(new Error('cancelled by the user'));
      return controller !== undefined;
    },
    listSources: () => queries.listSources(),
    describeTable: ({ table }) => queries.describeTable(table),
    loadSampleData: ({ replace, onProgress }) => loadSampleData(db, { replace, onProgress }),
    async listConnectors() {
      const connectors = syncs.connectors;
      return connectors.names().map((name) => {
        const spec = connectors.get(name);
        return {
          name,
          description: spec.description,
          docs_url: spec.docs_url ?? null,
          base_url: spec.client.base_url,
          credentials: spec.credentials.map(({ name: field, description, secret }) => ({
            name: field,
            description,
            secret,
          })),
          resources: spec.resources.map((r) => ({
            name: r.name,
            description: r.description,
            incremental: r.incremental !== undefined,
            selected: r.selected,
          })),
        };
      });
    },
    async addSource(config) {
      syncs.connectors.get(config.type);
      return db.addSource(config);
    },
    removeSource: ({ name, dropData }) => db.removeSource(name, { dropData }),
    getSources: () => db.getSources(),
    sync: ({ name, credentials, timeoutMs, onProgress }) =>
      runner.run(name, { credentials, timeoutMs, onProgress }),
    cancelSync: async ({ name }) => runner.cancel(name),
    setSyncInterval: ({ name, interval }) => runner.setInterval(name, interval),
    syncStatus: () => runner.status(),
    syncHistory: ({ name, limit }) => runner.history({ name, limit }),
    async watchSyncs({ onEvent }) {
      const id = `w${++watchCount}`;
      const stop = runner.watch(onEvent);
      watchers.set(id, () => {
        stop();
        // A Comlink proxy holds a port open until released. (`in` cannot tell: the proxy has no `has` trap.)
        const remote = onEvent as unknown as Partial<Comlink.Remote<object>>;
        if (typeof remote[Comlink.releaseProxy] === 'function') remote[Comlink.releaseProxy]();
      });
      return id;
    },
    async unwatchSyncs({ watchId }) {
      const stop = watchers.get(watchId);
      watchers.delete(watchId);
      stop?.();
      return stop !== undefined;
    },
    listTeamData: () => team.listDatasets(),
    async pullTeamData({ selections, onProgress }) {
      const names = await team.select(selections);
      const results = [];
      for (const name of names) results.push(await runner.run(name, { onProgress }));
      return results;
    },
    databaseSize: () => storage.size(),
    async backup() {
      const file = await storage.backup();
      return Comlink.transfer(file, [file.bytes.buffer as ArrayBuffer]);
    },
    restore: ({ bytes }) => storage.restore(bytes),
    clearAllData: () => storage.clear(),
    async previewMutation({ sql, maxAffectedRows }) {
      // The review panel's path: a `--force` here still waits for the person's click.
      const result = await mutations.handleSql(sql, { maxAffectedRows, allowForce: false });
      if (isForcedResponse(result))
        throw new MutationError('internal', 'A preview executed without a confirm.');
      return result;
    },
    confirmMutation: ({ mutationId, onRow }) => mutations.confirm(mutationId, { onRow }),
    confirmBatch: ({ mutationIds }) => mutations.confirmBatch(mutationIds),
    cancelMutation: ({ mutationId }) => mutations.cancel(mutationId),
    listPendingMutations: () => mutations.listPending(),
    agentTool: ({ name, args, client, transport, agentsMayConfirm }) =>
      runTool(agents, name, args, { client, transport, agentsMayConfirm }),
    agentInstructions: () => serverInstructions(agents),
    agentLog: ({ limit }) => readAgentLog(db, limit),
    mutationHistory: ({ limit }) => mutations.history({ limit }),
    listSavedQueries: ({ search }) => listSaved(db, { search }),
    getSavedQuery: ({ name }) => getSaved(db, name),
    saveQuery: ({ name, sql, description, overwrite }) =>
      saveQuery(db, { name, sql, description, overwrite }),
    renameSavedQuery: ({ from, to }) => renameSaved(db, { from, to }),
    duplicateSavedQuery: ({ name }) => duplicateSaved(db, { name }),
    deleteSavedQuery: ({ name }) => deleteSaved(db, { name }),
    importFile: (request) => importFile(db, request, { parquet: loadParquet }),
    renameFileTable: ({ from, to }) => renameFileTable(db, { from, to }),
    removeFileTable: ({ table }) => removeFileTable(db, { table }),
    listImportedFiles: () => listImportedFiles(db),
    exportData: ({ onChunk, queryId, ...request }) =>
      withCancel(queryId, ({ signal }) =>
        exportData(db, request, {
          signal,
          loadParquet,
          // Each chunk owns its buffer, so it moves to the page instead of being copied.
          onChunk: (chunk) => onChunk(Comlink.transfer(chunk, [chunk.buffer as ArrayBuffer])),
        }),
      ),
  };
}
