// Editor and results state: the tabs' SQL, the running query, each tab's Arrow result, history and completion.
import { tableFromResultIPC } from '../../common/arrow.ts';
import { splitStatements } from '../../common/sql-lexer.ts';
import type { MutationResponse, StatementOutcome } from '../../worker/api.ts';
import { chartSettings, type ChartSettings } from '../lib/chart.ts';
import type { Engine } from '../lib/engine.ts';
import { isWriteSql } from '../lib/mutations.ts';
import { Completions } from './Completions.svelte.ts';
import { EditorTabs } from './EditorTabs.svelte.ts';
import { QueryHistory } from './QueryHistory.svelte.ts';
import { ResultSet } from './ResultSet.svelte.ts';
import { SavedQueries } from './SavedQueries.svelte.ts';
import type { SortState } from '../lib/sort.ts';

export { ResultSet };

export const DEFAULT_SQL = `-- Customers in both Stripe and HubSpot, with their lifetime charges (amounts are in cents)
SELECT c.email, h.lifecyclestage, count(ch.id) AS charges, sum(ch.amount) / 100 AS dollars
FROM stripe.customers c
JOIN hubspot.contacts h ON h.email = c.email
LEFT JOIN stripe.charges ch ON ch.customer = c.id AND ch.status = 'succeeded'
GROUP BY ALL
ORDER BY dollars DESC NULLS LAST
LIMIT 50;`;

/** What one editor tab last showed. */
interface TabRun {
  result: ResultSet | null;
  error: string | null;
  /** The user cancelled the last run after this many milliseconds (not an error, though it ends like one). */
  cancelledAfterMs: number | null;
  notice: string | null;
  lastQuery: string | null;
  /** A script's statements with what each did; null after a single statement. */
  outcomes: StatementOutcome[] | null;
}

const EMPTY: TabRun = {
  result: null,
  error: null,
  cancelledAfterMs: null,
  notice: null,
  lastQuery: null,
  outcomes: null,
};

/** The query in flight: its tab, its id for cancel, when it started (performance.now()), whether Cancel was asked. */
interface Running {
  tabId: string;
  queryId: string;
  startedAt: number;
  cancelRequested: boolean;
}

export interface RunOptions {
  /** Rows to fetch instead of `maxRows` (load more). */
  maxRows?: number;
  /** Keep the grid where it was scrolled (load more). */
  scrollTop?: number;
  /** Record in the query history. @default true */
  record?: boolean;
  /** Sort the new result the same way (load more keeps the grid's sort). */
  sort?: SortState | null;
  /** The editor line the SQL starts on (a selection's), so a script's outcomes name editor lines. @default 1 */
  firstLine?: number;
  /** Keep the outcome list shown (load more re-runs only a script's last statement). */
  keepOutcomes?: boolean;
}

let counter = 0;

const CATALOG_VERBS = new Set(['CREATE', 'DROP', 'ALTER', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']);

/** A script that ran as rows and holds DDL or a write: those ran in scratch (worker/query/scratch.ts). */
export function changesCatalog(sql: string): boolean {
  return splitStatements(sql).some(
    (s) => s.tokens[0]?.kind === 'word' && CATALOG_VERBS.has(s.tokens[0].text),
  );
}
export class Workbench {
  maxRows = $state(1000);
  readonly tabs: EditorTabs;
  readonly history: QueryHistory;
  readonly completions: Completions;
  readonly saved: SavedQueries;
  #engine: Engine;
  #runs = $state.raw<Record<string, TabRun>>({});
  #running = $state.raw<Running | null>(null);
  /** The latest run, settled when it has shown its outcome. */
  #latest: Promise<void> = Promise.resolve();
  /** An editor line to show, asked for from the outcome list; `seq` makes asking twice move again. */
  jump = $state.raw<{ tabId: string; line: number; seq: number } | null>(null);
  #onMutation: (preview: MutationResponse | null) => void;
  #onCatalogChange: () => void;

  /**
   * `onMutation` receives UPDATE/INSERT/DELETE previews, which go to the review panel instead of the grid, and
   * null when such a statement was refused: the review on screen belongs to another statement.
   */
  constructor(
    engine: Engine,
    onMutation: (preview: MutationResponse | null) => void = () => undefined,
    parts: { tabs?: EditorTabs; history?: QueryHistory; onCatalogChange?: () => void } = {},
  ) {
    this.#engine = engine;
    this.#onMutation = onMutation;
    // Called after a run that changed scratch (CREATE, DROP, …): the sidebar and completion re-read the catalog.
    this.#onCatalogChange = parts.onCatalogChange ?? (() => undefined);
    this.tabs = parts.tabs ?? new EditorTabs(DEFAULT_SQL);
    this.history = parts.history ?? new QueryHistory();
    this.completions = new Completions(engine);
    this.saved = new SavedQueries(engine);
  }

  /** The active tab's SQL. */
  get sql(): string {
    return this.tabs.active.sql;
  }
  set sql(value: string) {
    this.tabs.setSql(this.tabs.activeId, value);
  }

  get #current(): TabRun {
    return this.#runs[this.tabs.activeId] ?? EMPTY;
  }
  get result() {
    return this.#current.result;
  }
  /** Why the last run failed; null after a success or a cancel. */
  get error() {
    return this.#current.cancelledAfterMs === null ? this.#current.error : null;
  }
  /** Milliseconds the last run went on before the user cancelled it, or null. */
  get cancelledAfterMs() {
    return this.#current.cancelledAfterMs;
  }
  /** A non-error message, such as a mutation preview that the SQL produced. */
  get notice() {
    return this.#current.notice;
  }
  /** A query is running (in any tab). */
  get running() {
    return this.#running !== null;
  }
  /** The tab whose query is running, or null. */
  get runningTab(): string | null {
    return this.#running?.tabId ?? null;
  }
  /** When the running query started, on the `performance.now()` clock; null while idle. */
  get runningSince(): number | null {
    return this.#running?.startedAt ?? null;
  }
  /** The last script's outcome list (statement, line, kind, rows, time, status), or null. */
  get outcomes() {
    return this.#current.outcomes;
  }
  /** Moves the active tab's editor cursor to `line` (an outcome's). */
  jumpTo(line: number): void {
    this.jump = { tabId: this.tabs.activeId, line, seq: (this.jump?.seq ?? 0) + 1 };
  }
  /** The last SQL that filled the grid, so a confirmed mutation's effect can be checked by re-running it. */
  get lastQuery() {
    return this.#current.lastQuery;
  }

  /** The active tab's chart picks; they outlive its results (re-runs, reloads). */
  get chartSettings(): ChartSettings {
    return chartSettings(this.tabs.active.chart);
  }
  set chartSettings(value: ChartSettings) {
    this.tabs.setChart(this.tabs.activeId, value);
  }

  #patch(tabId: string, patch: Partial<TabRun>): void {
    this.#runs = { ...this.#runs, [tabId]: { ...(this.#runs[tabId] ?? EMPTY), ...patch } };
  }

  /** Loads the persisted tabs and history; call once at startup. */
  async restore(): Promise<void> {
    await Promise.all([this.tabs.restore(), this.history.load()]);
  }

  run(sql: string = this.sql, options: RunOptions = {}): Promise<void> {
    const run = this.#run(sql, options);
    this.#latest = run.catch(() => undefined);
    return run;
  }

  /**
   * Resolves once the latest run has shown its outcome, or after `boundMs`: the page's own reads at open, which
   * DuckDB would queue behind the query anyway, wait behind a query the user runs as the tab opens, so that
   * sending and answering them shares no core with that query's first run (docs/ARCHITECTURE.md, Start-up).
   */
  settled(boundMs = 1000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)));
    return Promise.race([this.#latest, bound]).finally(() => clearTimeout(timer));
  }

  async #run(sql: string, options: RunOptions): Promise<void> {
    if (this.#running) await this.cancel();
    const tabId = this.tabs.activeId;
    const queryId = `q${++counter}`;
    const started = performance.now();
    this.#running = { tabId, queryId, startedAt: started, cancelRequested: false };
    this.#patch(tabId, { error: null, cancelledAfterMs: null, notice: null });
    const record = (rows: number | null, error: string | null) => {
      if (options.record !== false)
        void this.history.add({ sql, elapsedMs: Math.round(performance.now() - started), rows, error });
    };
    try {
      const maxRows = options.maxRows ?? this.maxRows;
      const firstLine = options.firstLine ?? 1;
      const response = await this.#engine.runQuery({ sql, maxRows, queryId, firstLine });
      if (this.#running?.queryId !== queryId) return;
      if (!options.keepOutcomes) {
        const statements = 'statements' in response ? response.statements : undefined;
        this.#patch(tabId, { outcomes: Array.isArray(statements) ? statements : null });
      }
      if ('error' in response) {
        const cancelled = this.#running.cancelRequested && response.code === 'interrupted';
        this.#patch(tabId, {
          error: String(response.error),
          cancelledAfterMs: cancelled ? Math.round(performance.now() - started) : null,
        });
        record(null, String(response.error));
        if (!cancelled && isWriteSql(sql)) this.#onMutation(null);
        // Scratch changes that ran before the failing statement stay: the sidebar and completion show them.
        if (this.#runs[tabId]?.outcomes?.some((o) => o.status === 'kept')) this.#onCatalogChange();
      } else if ('ipc' in response) {
        const result = new ResultSet({
          table: tableFromResultIPC(response.ipc),
          columns: response.columns,
          types: response.data_types,
          rowCount: response.row_count,
          totalRows: response.total_rows,
          truncated: response.truncated === true,
          message: response.message ?? null,
          elapsedMs: Math.round(performance.now() - started),
          sql,
        });
        result.scrollTop = options.scrollTop ?? 0;
        // A re-run (or the first run after a reload) shows its result the way the tab last showed one.
        result.mode = this.tabs.tabs.find((t) => t.id === tabId)?.view ?? 'table';
        result.onModeChange = (mode) => this.tabs.setView(tabId, mode);
        if (options.sort) result.setSort(options.sort);
        this.#patch(tabId, { result, lastQuery: sql });
        record(result.rowCount, null);
        if (changesCatalog(sql)) this.#onCatalogChange();
        // The script's writes were previewed too: their review opens beside the result.
        if (response.pending) this.#onMutation(response.pending);
      } else {
        this.#patch(tabId, { notice: 'Review the change below: nothing is written until you confirm it.' });
        record(null, null);
        this.#onMutation('pending' in response ? response.pending : response);
        if ('pending' in response && changesCatalog(sql)) this.#onCatalogChange();
      }
    } catch (error) {
      if (this.#running?.queryId === queryId)
        this.#patch(tabId, { error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (this.#running?.queryId === queryId) this.#running = null;
    }
  }

  /** Re-runs the shown result's SQL fetching up to ten times as many rows, keeping the scroll position. */
  async loadMore(): Promise<void> {
    const result = this.result;
    if (!result?.truncated) return;
    const maxRows = Math.min(result.totalRows, result.rowCount * 10);
    // A script's earlier statements already ran (its scratch changes stay, its writes were previewed): only
    // the last one, whose rows these are, runs again.
    const last = splitStatements(result.sql).at(-1);
    const script = result.statements > 1 && last !== undefined;
    await this.run(script ? last.text : result.sql, {
      maxRows,
      scrollTop: result.scrollTop,
      record: false,
      sort: result.sort,
      keepOutcomes: script,
    });
  }

  /** Closes an editor tab and lets its result go. */
  closeTab(id: string): void {
    this.tabs.close(id);
    if (!this.tabs.tabs.some((t) => t.id === id) && id in this.#runs) {
      const { [id]: _closed, ...rest } = this.#runs;
      this.#runs = rest;
    }
  }

  async cancel(): Promise<void> {
    if (!this.#running) return;
    this.#running = { ...this.#running, cancelRequested: true };
    await this.#engine.cancel({ queryId: this.#running.queryId });
  }
}
