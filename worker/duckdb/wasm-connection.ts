// DuckDB-WASM's DuckConnection over either of its bindings (async in DuckDB's worker, or blocking): queued calls, cancellation, clear errors.
import { DataType, tableToIPC, type Table } from 'apache-arrow';
import { tableFromResultIPC } from '../../common/arrow.ts';
import { QueryError, errorMessage } from '../errors.ts';
import { CallQueue } from './call-queue.ts';
import {
  checkCallSize,
  mayHoldSeveral,
  notOneStatement,
  runUnderSignal,
  toDuckParam,
  toQueryError,
} from './errors.ts';
import { END_OF_STREAM, concat, headOf, headerSchema, wholePending, type DuckCalls } from './driver-head.ts';
import { batchesOf } from './driver-batches.ts';
import type {
  BatchOptions,
  DuckConnection,
  HeadOptions,
  HeadResult,
  InsertTarget,
  Param,
  RunOptions,
} from './types.ts';

/** What the wasm runtime throws once DuckDB's memory is corrupt; every later call on it fails the same way. */
// (Not DuckDB's own "Out of Memory" error: DuckDB recovers from that one.)
const CRASHED =
  /memory access out of bounds|table index is out of bounds|^unreachable$|null function or function signature mismatch/;

/** One database's health, shared by its connections: once broken, every call fails fast with the reason. */
export interface Health {
  broken: string | null;
  persistent: boolean;
  /** What `stop` does to the database, as the error says it ("its worker was terminated and restarts …"). */
  stopping: string;
  /**
   * Marks the database broken and stops what it can: the async driver terminates DuckDB's worker (the only way
   * to stop a statement it cannot interrupt); the owner then closes it and opens a fresh one.
   */
  stop(reason: string): void;
  /** The instance's calls in flight (call-queue.ts): whether DuckDB works on a connection's statement or on other work. */
  queue: CallQueue;
}

/**
 * A database's health as it opens; `onStop` stops what it can, once, when the database breaks, and the calls still
 * in flight then fail with the reason (on a terminated worker they would never settle).
 */
export function healthOf(persistent: boolean, stopping: string, onStop: () => void): Health {
  const health: Health = {
    broken: null,
    persistent,
    stopping,
    queue: new CallQueue(),
    stop(reason) {
      if (health.broken) return;
      health.broken = reason;
      onStop();
      health.queue.fail(new QueryError('internal', reason));
    },
  };
  return health;
}

function lostData(health: Health): string {
  return health.persistent
    ? 'the database itself is unchanged on disk'
    : 'this in-memory database is lost and starts empty';
}

/**
 * Talks to the bindings in Arrow IPC bytes and decodes them with this module's apache-arrow, because in
 * Node duckdb-wasm loads a second (CommonJS) copy whose Tables fail our `instanceof` checks.
 */
export class WasmConnection implements DuckConnection {
  #db: DuckCalls;
  #id: number;
  #health: Health;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(db: DuckCalls, id: number, health: Health) {
    this.#db = db;
    this.#id = id;
    this.#health = health;
  }

  #checkHealth(): void {
    if (this.#health.broken) throw new QueryError('internal', this.#health.broken);
  }

  /** DuckDB's error as a QueryError; a crash of the wasm runtime also marks the database broken. */
  #failed(error: unknown, signal?: AbortSignal): QueryError {
    const message = errorMessage(error);
    if (!(error instanceof QueryError) && CRASHED.test(message)) {
      const reason = `DuckDB-WASM crashed (${message}) and restarts for the next query; ${lostData(this.#health)}.`;
      this.#health.stop(reason);
      return new QueryError('internal', reason, { cause: error });
    }
    return toQueryError(error, signal);
  }

  /** Preparing a text of several statements fails in DuckDB ("Cannot prepare multiple statements"). */
  async #assertOne(sql: string): Promise<void> {
    // Skipping the prepare where it cannot matter keeps ordinary reads at one round trip to DuckDB's worker.
    if (!mayHoldSeveral(sql)) return;
    let statement: number | undefined;
    try {
      statement = await this.#db.createPrepared(this.#id, sql);
    } catch (error) {
      if (/multiple statements/i.test(errorMessage(error))) throw notOneStatement(null);
      throw error;
    } finally {
      // Not awaited: DuckDB gets calls in order (its worker's messages, or blocking.ts's calls), so the close lands
      // before the query that follows.
      if (statement !== undefined) void this.#db.closePrepared(this.#id, statement).catch(() => undefined);
    }
  }

  /** duckdb-wasm allows one pending query per connection, so calls are chained. */
  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Pending (cancellable) queries stream no dictionary batches, so ENUM columns would decode as NULL;
   * such reads are run once more in one piece.
   */
  async #send(sql: string, signal?: AbortSignal): Promise<Uint8Array> {
    const { header, bytes } = await this.#sendPending(sql, signal);
    if (!headerSchema(header).fields.some((f) => DataType.isDictionary(f.type))) return bytes;
    return this.#db.runQuery(this.#id, sql);
  }

  /** The whole result of a pending (cancellable) query, as one IPC stream. */
  async #sendPending(sql: string, signal?: AbortSignal): Promise<{ header: Uint8Array; bytes: Uint8Array }> {
    const { header, chunks } = await wholePending(this.#db, this.#id, sql, signal);
    chunks.push(END_OF_STREAM);
    return { header, bytes: concat(chunks) };
  }

  /**
   * Without a signal a statement runs in one round trip (`direct`, runQuery); with one it runs as a pending
   * query (`pending`), which is what `cancelPendingQuery` can interrupt. DuckDB-WASM cannot interrupt planning,
   * and the cancel lands only between two of its calls: a statement still running HUNG_GRACE_MS after the cancel
   * is stopped by `Health.stop` (the async driver terminates DuckDB's worker), so neither this caller nor the
   * next waits for it.
   */
  #run<T>(
    sql: string,
    options: RunOptions,
    pending: () => Promise<T>,
    direct: (() => Promise<T>) | null,
  ): Promise<T> {
    const { signal, single } = options;
    return this.#enqueue(async () => {
      this.#checkHealth();
      checkCallSize(sql);
      if (!signal && direct) {
        try {
          if (single) await this.#assertOne(sql);
          return await direct();
        } catch (error) {
          throw this.#failed(error);
        }
      }
      try {
        return await runUnderSignal(
          signal,
          async () => {
            if (single) await this.#assertOne(sql);
            return pending();
          },
          {
            engine: 'DuckDB-WASM',
            cancel: () => void this.#db.cancelPendingQuery(this.#id).catch(() => false),
            runningFor: () => this.#health.queue.runningFor(this.#id),
            onHung: (notStopped) => {
              const message = `${notStopped}, so ${this.#health.stopping}; ${lostData(this.#health)}.`;
              this.#health.stop(message);
              return message;
            },
          },
        );
      } catch (error) {
        throw this.#failed(error, signal);
      }
    });
  }

  #runIPC(sql: string, options: RunOptions): Promise<Uint8Array> {
    return this.#run(
      sql,
      options,
      () => this.#send(sql, options.signal),
      () => this.#db.runQuery(this.#id, sql),
    );
  }

  queryHead(sql: string, options: HeadOptions): Promise<HeadResult> {
    return this.#run(
      sql,
      options,
      () => headOf(this.#db, this.#id, sql, options, (text) => this.#assertOne(text)),
      null,
    );
  }

  queryBatches(sql: string, options: BatchOptions): Promise<void> {
    return this.#run(sql, options, () => batchesOf(this.#db, this.#id, sql, options), null);
  }

  async queryIPC(sql: string, options: RunOptions = {}): Promise<Uint8Array> {
    return this.#runIPC(sql, options);
  }

  async query(sql: string, options: RunOptions = {}): Promise<Table> {
    return tableFromResultIPC(await this.#runIPC(sql, options));
  }

  queryParams(sql: string, params: readonly Param[]): Promise<Table> {
    return this.#enqueue(async () => {
      this.#checkHealth();
      checkCallSize(sql, params);
      let statement: number | undefined;
      try {
        statement = await this.#db.createPrepared(this.#id, sql);
        return tableFromResultIPC(await this.#db.runPrepared(this.#id, statement, params.map(toDuckParam)));
      } catch (error) {
        throw this.#failed(error);
      } finally {
        if (statement !== undefined) await this.#db.closePrepared(this.#id, statement).catch(() => undefined);
      }
    });
  }

  insertArrow(table: Table, target: InsertTarget): Promise<void> {
    return this.#enqueue(async () => {
      this.#checkHealth();
      try {
        await this.#db.insertArrowFromIPCStream(this.#id, tableToIPC(table, 'stream'), {
          schema: target.schema,
          name: target.name,
          create: target.create,
        });
      } catch (error) {
        throw this.#failed(error);
      }
    });
  }

  insertJSONFromPath(path: string, target: InsertTarget): Promise<void> {
    return this.#enqueue(async () => {
      this.#checkHealth();
      try {
        await this.#db.insertJSONFromPath(this.#id, path, {
          schema: target.schema,
          name: target.name,
          create: target.create,
        });
      } catch (error) {
        throw this.#failed(error);
      }
    });
  }

  close(): Promise<void> {
    return this.#enqueue(() => this.#db.disconnect(this.#id));
  }
}
