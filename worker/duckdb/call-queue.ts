// The calls a DuckDB-WASM instance has in flight, in the order they were made: whose call DuckDB works on now, and failing them all when it stops.
import { QueryError } from '../errors.ts';
import { DUCK_CALLS, type DuckCalls } from './driver-head.ts';

/** The connection a call of the instance itself is made for: none (DuckDB's connection ids start at 0). */
export const NO_CONNECTION = -1;

interface InFlight {
  conn: number;
  fail(error: QueryError): void;
}

/**
 * DuckDB-WASM runs one call at a time, in the order the calls were made (its worker's messages, or the blocking
 * bindings' thread). So the oldest call in flight is the one DuckDB works on, and the others wait behind it. A
 * cancelled statement that seems hung may only be waiting behind another connection's long write (a sync, a
 * sample load): stopping DuckDB then would kill that write, not the statement (see `runUnderSignal`).
 */
export class CallQueue {
  #next = 0;
  /** By call number; a Map keeps insertion order, so the first entry is the oldest call. */
  #inFlight = new Map<number, InFlight>();
  /** When the oldest call in flight became the oldest. */
  #headSince = 0;
  #failed: QueryError | null = null;
  #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** `calls` with each call in this queue; a call made after `fail` fails at once. */
  track(calls: DuckCalls): DuckCalls {
    const tracked: Record<string, unknown> = {};
    const all: readonly string[] = calls.fetchChunks ? [...DUCK_CALLS, 'fetchChunks'] : DUCK_CALLS;
    for (const name of all) {
      const call = (calls as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!;
      tracked[name] = (...args: unknown[]) => this.run(Number(args[0]), () => call.apply(calls, args));
    }
    return tracked as unknown as DuckCalls;
  }

  /**
   * `call` in this queue, on behalf of `conn` (NO_CONNECTION for calls of the instance itself: a new connection, a
   * registered file). Calls that do not go through here are not failed when the instance stops.
   */
  run<T>(conn: number, call: () => Promise<T>): Promise<T> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    if (this.#inFlight.size === 0) this.#headSince = this.#now();
    return new Promise<T>((resolve, reject) => {
      this.#inFlight.set(id, { conn, fail: reject });
      const settle = () => {
        const wasHead = this.#inFlight.keys().next().value === id;
        this.#inFlight.delete(id);
        if (wasHead) this.#headSince = this.#now();
      };
      call().then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }

  /**
   * How long `conn`'s call has been the one DuckDB works on (ms), or null while another connection's older call is
   * ahead of it, or `conn` has none in flight.
   */
  runningFor(conn: number): number | null {
    const head = this.#inFlight.values().next().value;
    return head?.conn === conn ? this.#now() - this.#headSince : null;
  }

  /** The instance stopped (its worker terminated): calls in flight would never settle, so they fail with `error`. */
  fail(error: QueryError): void {
    this.#failed = error;
    for (const call of this.#inFlight.values()) call.fail(error);
    this.#inFlight.clear();
  }
}
