// Builds the engines from their parts and implements EngineApi; the worker entry only exposes it.
import * as Comlink from 'comlink';
import type { EngineApi, EngineInfo } from './api.ts';
import { DinobaseDB } from './db.ts';
import { QueryEngine, isErrorResult, isMutationResponse, type ExecuteOptions } from './query/engine.ts';
import { loadSampleData } from './sample/load.ts';
import { WriteBack } from './mutations/writer.ts';
import { MutationEngine } from './query/mutations.ts';
import { SyncEngine } from './sync/engine.ts';
import { directTransport, relayTransport } from './sync/transport.ts';

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
  const queries = new QueryEngine(db, { mutations });
  const running = new Map<string, AbortController>();
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
        await db.conn;
        const database = await db.database();
        return { version: database.version, path: database.path, persistent: database.persistent };
      })().catch((error: unknown) => {
        info = null;
        throw error;
      });
      return info;
    },
    execute({ sql, maxRows, timeoutMs, queryId, maxAffectedRows }) {
      return withCancel(queryId, (o) => queries.execute(sql, { ...o, maxRows, timeoutMs, maxAffectedRows }));
    },
    async runQuery({ sql, maxRows, timeoutMs, queryId, maxAffectedRows }) {
      const result = await withCancel(queryId, (o) =>
        queries.executeArrow(sql, { ...o, maxRows, timeoutMs, maxAffectedRows }),
      );
      if (isErrorResult(result) || isMutationResponse(result)) return result;
      return Comlink.transfer(result, [result.ipc.buffer as ArrayBuffer]);
    },
    async cancel({ queryId }) {
      const controller = running.get(queryId);
      controller?.abort(new Error('cancelled by the user'));
      return controller !== undefined;
    },
    listSources: () => queries.listSources(),
    describeTable: ({ table }) => queries.describeTable(table),
    loadSampleData: ({ onProgress }) => loadSampleData(db, { onProgress }),
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
    async sync({ name, credentials, timeoutMs, onProgress }) {
      const source = await db.getSource(name);
      if (!source) {
        const known = (await db.getSources()).map((s) => s.name);
        return {
          source_name: name,
          source_type: 'unknown',
          tables_synced: 0,
          rows_synced: 0,
          status: 'error',
          error: `Source '${name}' is not registered.${known.length ? ` Registered: ${known.join(', ')}` : ' Add it first.'}`,
          resources: [],
          elapsed_ms: 0,
        };
      }
      return syncs.sync(
        name,
        { type: source.type, base_url: source.base_url, resources: source.resources, credentials },
        { timeoutMs, onProgress },
      );
    },
    previewMutation: ({ sql, maxAffectedRows }) => mutations.handleSql(sql, { maxAffectedRows }),
    confirmMutation: ({ mutationId, onRow }) => mutations.confirm(mutationId, { onRow }),
    confirmBatch: ({ mutationIds }) => mutations.confirmBatch(mutationIds),
    cancelMutation: ({ mutationId }) => mutations.cancel(mutationId),
    listPendingMutations: () => mutations.listPending(),
    mutationHistory: ({ limit }) => mutations.history({ limit }),
    async rawQueryTiming({ sql, runs }) {
      await db.conn;
      return (await db.database()).timeRawQuery(sql, runs);
    },
  };
}
