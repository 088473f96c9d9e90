// Team data for the Sources page: the datasets the server publishes, the working set picked here, pulls and their progress.
import type { SyncProgress, SyncResult, TeamDataset } from '../../worker/api.ts';
import { errorMessage } from '../../worker/errors.ts';
import { Comlink, type Engine } from '../lib/engine.ts';

/** How often a pulled source refreshes by itself while the tab is open (the Sources page can change it). */
const DEFAULT_INTERVAL = '15m';

export class Team {
  #engine: Engine;
  #onPulled: () => void;
  #datasets = $state.raw<TeamDataset[]>([]);
  /** Picked sources: null = the whole source, a list = single tables; absent = not in the working set. */
  #picked = $state.raw<Record<string, string[] | null>>({});
  #progress = $state.raw<Record<string, SyncProgress>>({});
  #results = $state.raw<SyncResult[]>([]);
  #pulling = $state(false);
  #loaded = $state(false);
  #error = $state.raw<string | null>(null);

  /** `onPulled` refreshes the catalog: the sync watcher's event may not be registered yet on a fresh page. */
  constructor(engine: Engine, onPulled: () => void = () => undefined) {
    this.#engine = engine;
    this.#onPulled = onPulled;
  }

  get datasets() {
    return this.#datasets;
  }
  get progress() {
    return this.#progress;
  }
  get results() {
    return this.#results;
  }
  get pulling() {
    return this.#pulling;
  }
  get loaded() {
    return this.#loaded;
  }
  get error() {
    return this.#error;
  }

  async refresh(): Promise<void> {
    try {
      const datasets = await this.#engine.listTeamData();
      this.#datasets = datasets;
      // What is pulled here is the working set until the user changes it.
      const picked = { ...this.#picked };
      for (const d of datasets) if (d.pulled && !(d.source in picked)) picked[d.source] = d.pulled.tables;
      this.#picked = picked;
      this.#error = null;
    } catch (error) {
      this.#error = errorMessage(error);
    } finally {
      this.#loaded = true;
    }
  }

  isPicked(source: string, table?: string): boolean {
    if (!(source in this.#picked)) return false;
    const tables = this.#picked[source];
    return table === undefined ? tables === null : tables === null || tables!.includes(table);
  }

  /** Some tables of `source` picked, not all. */
  isPartial(source: string): boolean {
    return Array.isArray(this.#picked[source]);
  }

  toggleSource(source: string): void {
    const { [source]: current, ...rest } = this.#picked;
    this.#picked = current === null ? rest : { ...rest, [source]: null };
  }

  toggleTable(source: string, table: string): void {
    const all = this.#datasets.find((d) => d.source === source)?.tables.map((t) => t.name) ?? [];
    const current = source in this.#picked ? (this.#picked[source] ?? all) : [];
    const next = current.includes(table) ? current.filter((t) => t !== table) : [...current, table];
    const { [source]: _, ...rest } = this.#picked;
    this.#picked =
      next.length === 0 ? rest : { ...rest, [source]: next.length === all.length ? null : next.sort() };
  }

  get selectionCount(): number {
    return Object.keys(this.#picked).length;
  }

  /** Pulls the working set (Pull / Refresh); each source's result is kept, a failure keeps its previous tables. */
  async pull(): Promise<void> {
    if (this.#pulling) return;
    this.#pulling = true;
    this.#progress = {};
    this.#error = null;
    try {
      const selections = Object.entries(this.#picked).map(([source, tables]) => ({
        source,
        tables,
        interval: this.#datasets.find((d) => d.source === source)?.pulled?.sync_interval ?? DEFAULT_INTERVAL,
      }));
      this.#results = await this.#engine.pullTeamData({
        selections,
        onProgress: Comlink.proxy((p: SyncProgress) => {
          this.#progress = { ...this.#progress, [`${p.source}.${p.resource}`]: p };
        }),
      });
    } catch (error) {
      this.#error = errorMessage(error);
    } finally {
      this.#pulling = false;
      this.#onPulled();
      await this.refresh();
    }
  }
}
