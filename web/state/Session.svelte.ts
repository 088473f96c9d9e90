// Engine lifecycle for the page: opening the database, its info, and the sample-data action.
import type { EngineInfo, SampleProgress } from '../../worker/api.ts';
import { Comlink, type Engine } from '../lib/engine.ts';

export type SessionStatus = 'opening' | 'ready' | 'failed';

export class Session {
  #engine: Engine;
  #status = $state<SessionStatus>('opening');
  #info = $state.raw<EngineInfo | null>(null);
  #error = $state.raw<string | null>(null);
  #busy = $state.raw<string | null>(null);

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  get status() {
    return this.#status;
  }
  get info() {
    return this.#info;
  }
  get error() {
    return this.#error;
  }
  /** What long-running action is in progress, for the status line. */
  get busy() {
    return this.#busy;
  }

  async open(): Promise<void> {
    try {
      this.#info = await this.#engine.open();
      this.#status = 'ready';
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      this.#status = 'failed';
    }
  }

  async loadSample(): Promise<boolean> {
    this.#busy = 'Loading sample data…';
    this.#error = null;
    try {
      const onProgress = Comlink.proxy((p: SampleProgress) => {
        this.#busy = `Loading sample data: ${p.source}.${p.table} (${p.done}/${p.total})`;
      });
      const result = await this.#engine.loadSampleData({ onProgress });
      this.#busy = null;
      return result.rows_loaded > 0;
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      this.#busy = null;
      return false;
    }
  }
}
