// Test helpers shared by the Node suites: one real DuckDB-WASM per file and a clock tests can move.
import type { Clock } from './clock.ts';
import { DinobaseDB } from './db.ts';

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

export function memoryDB(clock: Clock = new ManualClock()): DinobaseDB {
  return new DinobaseDB(':memory:', { clock });
}
