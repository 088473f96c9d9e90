// Test helpers shared by the Node suites: a real in-memory DuckDB (native or WASM) and a clock tests can move.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from './clock.ts';
import { DinobaseDB } from './db.ts';
import { driverFromEnv, openWith, type DriverName } from './duckdb/node.ts';
import type { DuckDatabase } from './duckdb/types.ts';
import type { DatabaseFiles } from './storage.ts';

export class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  set(ms: number): void {
    this.#now = ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.#now += ms;
    await Promise.resolve();
  }
}

/** A clock whose sleeps last until the test calls `tick()`; `pending` counts the sleeps waiting. */
export class GatedClock extends ManualClock {
  #waiting = new Set<() => void>();
  get pending(): number {
    return this.#waiting.size;
  }
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const end = () => {
        this.#waiting.delete(end);
        signal?.removeEventListener('abort', abort);
        this.advance(ms);
        resolve();
      };
      const abort = () => {
        this.#waiting.delete(end);
        reject(signal!.reason as Error);
      };
      this.#waiting.add(end);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }
  /** Ends every sleep waiting now, moving the clock on by its length. */
  tick(): void {
    for (const end of [...this.#waiting]) end();
  }
}

/** An in-memory database on `driver`, by default the one DINOBASE_DRIVER names (native unless set). */
export function memoryDB(clock: Clock = new ManualClock(), driver: DriverName = driverFromEnv()): DinobaseDB {
  return new DinobaseDB(':memory:', { clock, open: openWith(driver) });
}

/** A native database file as `DatabaseStorage` reads it for a backup (`name` is the backup's file name). */
export function fileOnDisk(path: string, name: string): DatabaseFiles {
  return {
    name,
    read: async () => new Uint8Array(readFileSync(path)),
    remove: async () => undefined,
  };
}

/** The files in a native database's private directory (`registerFile`'s, where the Parquet files of inserts and staging go). */
export async function privateFiles(db: DuckDatabase): Promise<string[]> {
  const probe = await db.registerFile('probe.bin', new Uint8Array([1]));
  const files = readdirSync(dirname(probe)).filter((f) => f !== 'probe.bin');
  await db.dropFile('probe.bin');
  return files;
}
