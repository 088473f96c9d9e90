// Connections handed out for separate work (a sync, a load, the query engine), counted until they are closed.
import type { DuckConnection } from './duckdb/index.ts';

export class OpenConnections {
  #open = new Set<DuckConnection>();

  get size(): number {
    return this.#open.size;
  }

  /** `conn`, counted until its `close()`. */
  track(conn: DuckConnection): DuckConnection {
    const tracked: DuckConnection = {
      query: (sql, options) => conn.query(sql, options),
      queryIPC: (sql, options) => conn.queryIPC(sql, options),
      queryHead: (sql, options) => conn.queryHead(sql, options),
      queryBatches: (sql, options) => conn.queryBatches(sql, options),
      queryParams: (sql, params) => conn.queryParams(sql, params),
      insertArrow: (table, target) => conn.insertArrow(table, target),
      insertJSONFromPath: (path, target) => conn.insertJSONFromPath(path, target),
      ...(conn.stagingFiles && { stagingFiles: conn.stagingFiles }),
      close: () => {
        this.#open.delete(tracked);
        return conn.close();
      },
    };
    this.#open.add(tracked);
    return tracked;
  }
}
