// Editor and results state: the SQL being written, the running query, and its Arrow result.
import { tableFromIPC, type Table } from 'apache-arrow';
import type { MutationResponse } from '../../worker/api.ts';
import type { Engine } from '../lib/engine.ts';

export interface ResultView {
  table: Table;
  columns: string[];
  types: Record<string, string>;
  rowCount: number;
  totalRows: number;
  truncated: boolean;
  message: string | null;
  elapsedMs: number;
}

export const DEFAULT_SQL = `-- Customers in both Stripe and HubSpot, with their lifetime charges (amounts are in cents)
SELECT c.email, h.lifecyclestage, count(ch.id) AS charges, sum(ch.amount) / 100 AS dollars
FROM stripe.customers c
JOIN hubspot.contacts h ON h.email = c.email
LEFT JOIN stripe.charges ch ON ch.customer = c.id AND ch.status = 'succeeded'
GROUP BY ALL
ORDER BY dollars DESC NULLS LAST
LIMIT 50;`;

let counter = 0;

export class Workbench {
  sql = $state(DEFAULT_SQL);
  maxRows = $state(1000);
  #engine: Engine;
  #result = $state.raw<ResultView | null>(null);
  #error = $state.raw<string | null>(null);
  #notice = $state.raw<string | null>(null);
  #running = $state(false);
  #lastQuery = $state.raw<string | null>(null);
  #queryId: string | null = null;

  #onMutation: (preview: MutationResponse) => void;

  /** `onMutation` receives UPDATE/INSERT/DELETE previews, which go to the review panel instead of the grid. */
  constructor(engine: Engine, onMutation: (preview: MutationResponse) => void = () => undefined) {
    this.#engine = engine;
    this.#onMutation = onMutation;
  }

  get result() {
    return this.#result;
  }
  get error() {
    return this.#error;
  }
  /** A non-error message, such as a mutation preview that the SQL produced. */
  get notice() {
    return this.#notice;
  }
  get running() {
    return this.#running;
  }
  /** The last SQL that filled the grid, so a confirmed mutation's effect can be checked by re-running it. */
  get lastQuery() {
    return this.#lastQuery;
  }

  async run(sql: string = this.sql): Promise<void> {
    if (this.#running) await this.cancel();
    const queryId = `q${++counter}`;
    this.#queryId = queryId;
    this.#running = true;
    this.#error = null;
    this.#notice = null;
    const started = performance.now();
    try {
      const response = await this.#engine.runQuery({ sql, maxRows: this.maxRows, queryId });
      if (this.#queryId !== queryId) return;
      if ('error' in response) {
        this.#error = String(response.error);
      } else if ('ipc' in response) {
        const r = response;
        this.#lastQuery = sql;
        this.#result = {
          table: tableFromIPC(r.ipc),
          columns: r.columns,
          types: r.data_types,
          rowCount: r.row_count,
          totalRows: r.total_rows,
          truncated: r.truncated === true,
          message: r.message ?? null,
          elapsedMs: Math.round(performance.now() - started),
        };
      } else {
        this.#notice = 'Review the change below: nothing is written until you confirm it.';
        this.#onMutation(response);
      }
    } catch (error) {
      if (this.#queryId === queryId) this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      if (this.#queryId === queryId) {
        this.#running = false;
        this.#queryId = null;
      }
    }
  }

  async cancel(): Promise<void> {
    if (this.#queryId) await this.#engine.cancel({ queryId: this.#queryId });
  }
}
