// Mutation review: previews awaiting confirmation, write-back progress and results, the pending list and the audit log.
import type {
  BatchPreview,
  ConfirmResult,
  MutationPreview,
  MutationRecord,
  MutationResponse,
  RowResult,
} from '../../worker/api.ts';
import { Comlink, type Engine } from '../lib/engine.ts';
import { recordPreview } from '../lib/mutations.ts';

/** What happened to one previewed mutation in this page; absent while it waits for a decision. */
export type Outcome =
  | { phase: 'writing'; rows: RowResult[] }
  | { phase: 'done'; rows: RowResult[]; result: ConfirmResult }
  | { phase: 'cancelled' }
  | { phase: 'error'; rows: RowResult[]; error: string };

/** The previews on screen: one statement, or a batch (with the statements that failed validation). */
export interface Review {
  batch: BatchPreview | null;
  items: MutationPreview[];
}

const HISTORY_LIMIT = 50;

export class Mutations {
  #engine: Engine;
  #review = $state.raw<Review | null>(null);
  #outcomes = $state.raw<Record<string, Outcome>>({});
  #pending = $state.raw<MutationRecord[]>([]);
  #history = $state.raw<MutationRecord[]>([]);
  #error = $state.raw<string | null>(null);
  #now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;

  /** Pending (unexpired) and interrupted mutations: what the badge counts. */
  #open = $derived(this.#pending.filter((r) => r.status === 'executing' || !this.#expired(r.expires_at)));
  /** Review items still waiting for Confirm or Cancel (expired ones included, until dismissed). */
  #undecided = $derived(this.#review?.items.filter((i) => !this.#outcomes[i.mutation_id]) ?? []);

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  get review() {
    return this.#review;
  }
  get pending() {
    return this.#pending;
  }
  get history() {
    return this.#history;
  }
  get error() {
    return this.#error;
  }
  /** Ticks every second while something can expire, so countdowns stay live. */
  get now() {
    return this.#now;
  }
  get pendingCount() {
    return this.#open.length;
  }
  /** Items of the review a "Confirm all" would send: undecided and not expired. */
  get confirmable(): MutationPreview[] {
    return this.#undecided.filter((i) => !this.#expired(i.expires_at));
  }
  outcome(mutationId: string): Outcome | undefined {
    return this.#outcomes[mutationId];
  }
  /** Milliseconds until `expires_at`, against the ticking clock. */
  expiresIn(expiresAt: string | null): number {
    return expiresAt ? Date.parse(expiresAt) - this.#now : 0;
  }
  isExpired(expiresAt: string | null): boolean {
    return this.#expired(expiresAt);
  }

  /**
   * Puts a fresh preview (from running SQL) under review, replacing the previous one; null (a write that was
   * refused) only takes the previous one away, which belonged to another statement.
   */
  show(response: MutationResponse | null): void {
    this.#review =
      response === null
        ? null
        : 'batch_id' in response
          ? { batch: response, items: response.mutations }
          : { batch: null, items: [response] };
    this.#outcomes = {};
    this.#error = null;
    this.#now = Date.now();
    this.#tick();
    void this.refresh();
  }

  /** Brings a stored pending mutation back under review (from the Pending list). */
  open(record: MutationRecord): boolean {
    const preview = recordPreview(record);
    if (!preview) return false;
    this.show(preview);
    return true;
  }

  dismiss(): void {
    this.#review = null;
    this.#outcomes = {};
    this.#tick();
  }

  /** Sends one mutation to the API, with per-row progress; resolves to the result if it ran. */
  async confirm(mutationId: string): Promise<ConfirmResult | null> {
    if (this.#outcomes[mutationId]?.phase === 'writing') return null;
    this.#set(mutationId, { phase: 'writing', rows: [] });
    // Row callbacks are fire-and-forget messages: ones arriving after the result are ignored.
    const onRow = Comlink.proxy((row: RowResult) => {
      const current = this.#outcomes[mutationId];
      if (current?.phase === 'writing')
        this.#set(mutationId, { phase: 'writing', rows: [...current.rows, row] });
    });
    try {
      const result = await this.#engine.confirmMutation({ mutationId, onRow });
      if ('error' in result) {
        this.#set(mutationId, { phase: 'error', rows: this.#rowsSoFar(mutationId), error: result.error });
        return null;
      }
      this.#set(mutationId, { phase: 'done', rows: result.api_write_back.details, result });
      return result;
    } catch (error) {
      this.#set(mutationId, { phase: 'error', rows: this.#rowsSoFar(mutationId), error: message(error) });
      return null;
    } finally {
      await this.refresh();
    }
  }

  /** Confirms every confirmable item of the review in one batch call; resolves to those that ran. */
  async confirmAll(): Promise<ConfirmResult[]> {
    const ids = this.confirmable.map((i) => i.mutation_id);
    if (ids.length === 0) return [];
    for (const id of ids) this.#set(id, { phase: 'writing', rows: [] });
    const done: ConfirmResult[] = [];
    try {
      const batch = await this.#engine.confirmBatch({ mutationIds: ids });
      ids.forEach((id, i) => {
        const result = batch.results[i];
        if (!result) this.#set(id, { phase: 'error', rows: [], error: 'No result for this mutation.' });
        else if ('error' in result) this.#set(id, { phase: 'error', rows: [], error: result.error });
        else {
          this.#set(id, { phase: 'done', rows: result.api_write_back.details, result });
          done.push(result);
        }
      });
    } catch (error) {
      for (const id of ids) this.#set(id, { phase: 'error', rows: [], error: message(error) });
    } finally {
      await this.refresh();
    }
    return done;
  }

  async cancel(mutationId: string): Promise<void> {
    try {
      const result = await this.#engine.cancelMutation({ mutationId });
      if ('error' in result) this.#set(mutationId, { phase: 'error', rows: [], error: result.error });
      else this.#set(mutationId, { phase: 'cancelled' });
    } catch (error) {
      this.#set(mutationId, { phase: 'error', rows: [], error: message(error) });
    } finally {
      await this.refresh();
    }
  }

  /** Cancels a pending mutation from the list, without putting it under review. */
  async cancelRecord(mutationId: string): Promise<void> {
    try {
      const result = await this.#engine.cancelMutation({ mutationId });
      this.#error = 'error' in result ? result.error : null;
    } catch (error) {
      this.#error = message(error);
    } finally {
      await this.refresh();
    }
  }

  /** Re-reads the pending list and the audit log from the engine. */
  async refresh(): Promise<void> {
    try {
      const [pending, history] = await Promise.all([
        this.#engine.listPendingMutations(),
        this.#engine.mutationHistory({ limit: HISTORY_LIMIT }),
      ]);
      this.#pending = pending;
      this.#history = history;
    } catch (error) {
      this.#error = `Could not read the mutation log: ${message(error)}`;
    } finally {
      this.#tick();
    }
  }

  #expired(expiresAt: string | null): boolean {
    return this.expiresIn(expiresAt) <= 0;
  }

  #rowsSoFar(mutationId: string): RowResult[] {
    const current = this.#outcomes[mutationId];
    return current && 'rows' in current ? current.rows : [];
  }

  #set(mutationId: string, outcome: Outcome): void {
    this.#outcomes = { ...this.#outcomes, [mutationId]: outcome };
    this.#tick();
  }

  /** Runs the one-second clock only while a countdown is on screen or in the pending list. */
  #tick(): void {
    const live =
      this.#undecided.some((i) => !this.#expired(i.expires_at)) ||
      this.#pending.some((r) => r.status === 'pending' && !this.#expired(r.expires_at));
    if (live && !this.#timer) {
      this.#timer = setInterval(() => {
        this.#now = Date.now();
        this.#tick();
      }, 1000);
    } else if (!live && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
