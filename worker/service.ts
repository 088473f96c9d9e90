// Builds the engines from their parts and implements EngineApi; the worker entry only exposes it.
import * as Comlink from 'comlink';
import type { EngineApi, EngineInfo } from './api.ts';
import { DinobaseDB } from './db.ts';
import { QueryEngine, isErrorResult, type ExecuteOptions } from './query/engine.ts';
import { loadSampleData } from './sample/load.ts';

export interface ServiceOptions {
  db?: DinobaseDB;
}

export function createEngineService(options: ServiceOptions = {}): EngineApi {
  const db = options.db ?? new DinobaseDB();
  const queries = new QueryEngine(db);
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
    execute({ sql, maxRows, timeoutMs, queryId }) {
      return withCancel(queryId, (o) => queries.execute(sql, { ...o, maxRows, timeoutMs }));
    },
    async runQuery({ sql, maxRows, timeoutMs, queryId }) {
      const result = await withCancel(queryId, (o) =>
        queries.executeArrow(sql, { ...o, maxRows, timeoutMs }),
      );
      if (isErrorResult(result) || !(result.ipc instanceof Uint8Array)) return result;
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
    async rawQueryTiming({ sql, runs }) {
      await db.conn;
      return (await db.database()).timeRawQuery(sql, runs);
    },
  };
}
