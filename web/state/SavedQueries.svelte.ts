// The saved-query library (`_dinobase.saved_queries`, through EngineApi): the list, its search, and each action.
import type { SavedQuery } from '../../worker/api.ts';
import { errorMessage } from '../../worker/errors.ts';
import type { Engine } from '../lib/engine.ts';

export class SavedQueries {
  #engine: Engine;
  #items = $state.raw<SavedQuery[]>([]);
  #loaded = $state(false);
  /** The search box: the engine keeps queries whose name or SQL contains it, in any case. */
  search = $state('');
  /** The last action's failure, shown in the panel until the next action. */
  error = $state<string | null>(null);
  /** Answers come back in order of asking only per call; a newer list wins over a slower older one. */
  #asked = 0;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  get items() {
    return this.#items;
  }
  get loaded() {
    return this.#loaded;
  }

  async refresh(): Promise<void> {
    const asked = ++this.#asked;
    try {
      const items = await this.#engine.listSavedQueries({ search: this.search });
      if (asked === this.#asked) this.#items = items;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.#loaded = true;
    }
  }

  /** Saves `sql` as `name` (replacing it with `overwrite`); rejects with the engine's error (e.g. `would_replace`). */
  async save(name: string, sql: string, overwrite = false): Promise<SavedQuery> {
    const saved = await this.#engine.saveQuery({ name, sql, overwrite });
    await this.refresh();
    return saved;
  }

  rename(from: string, to: string): Promise<SavedQuery | null> {
    return this.#act(() => this.#engine.renameSavedQuery({ from, to }));
  }

  duplicate(name: string): Promise<SavedQuery | null> {
    return this.#act(() => this.#engine.duplicateSavedQuery({ name }));
  }

  remove(name: string): Promise<SavedQuery | null> {
    return this.#act(() => this.#engine.deleteSavedQuery({ name }));
  }

  /** Runs one library action: its error is shown, the list re-read either way. */
  async #act(action: () => Promise<SavedQuery>): Promise<SavedQuery | null> {
    this.error = null;
    try {
      return await action();
    } catch (error) {
      this.error = errorMessage(error);
      return null;
    } finally {
      await this.refresh();
    }
  }
}
