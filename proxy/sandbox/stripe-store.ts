// The Stripe sandbox's in-memory store: objects by id plus a newest-first index, so a page costs O(limit + log n).
import type { JsonObject, JsonValue, StripeData } from '../../worker/sample/dataset.ts';
import { StripeError } from './stripe-forms.ts';

export const STRIPE_RESOURCES = [
  'customers',
  'products',
  'prices',
  'subscriptions',
  'charges',
  'invoices',
  'events',
] as const;
export type StripeResource = (typeof STRIPE_RESOURCES)[number];

export type StripeRecord = JsonObject & { id: string; object: string; created: number };

export const SINGULAR: Record<StripeResource, string> = {
  customers: 'customer',
  products: 'product',
  prices: 'price',
  subscriptions: 'subscription',
  charges: 'charge',
  invoices: 'invoice',
  events: 'event',
};

export interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface PageQuery {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  created?: CreatedRange;
  filter?: (record: StripeRecord) => boolean;
}

/** Ids ordered created DESC, then id DESC, in parallel arrays searched by bisection. */
class NewestFirst {
  readonly created: number[] = [];
  readonly ids: string[] = [];

  /** First index whose entry does not sort before (created, id). */
  lowerBound(created: number, id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.created[mid] as number;
      const before = c > created || (c === created && (this.ids[mid] as string) > id);
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose created <= value. */
  atOrBelow(value: number): number {
    let lo = 0;
    let hi = this.created.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.created[mid] as number) > value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(created: number, id: string): void {
    const at = this.lowerBound(created, id);
    this.created.splice(at, 0, created);
    this.ids.splice(at, 0, id);
  }

  remove(created: number, id: string): void {
    const at = this.lowerBound(created, id);
    if (this.ids[at] === id) {
      this.created.splice(at, 1);
      this.ids.splice(at, 1);
    }
  }
}

class Table {
  readonly byId = new Map<string, StripeRecord>();
  readonly order = new NewestFirst();
  /** Deleted ids keep their position, so a cursor pointing at one still pages on. */
  readonly deleted = new Map<string, number>();

  constructor(records: readonly StripeRecord[]) {
    const sorted = [...records].sort((a, b) =>
      a.created !== b.created ? b.created - a.created : a.id < b.id ? 1 : a.id > b.id ? -1 : 0,
    );
    for (const r of sorted) {
      this.byId.set(r.id, r);
      this.order.created.push(r.created);
      this.order.ids.push(r.id);
    }
  }
}

/** The dataset's records as plain JSON objects (their interfaces carry no index signature). */
function asRecords(records: readonly object[]): StripeRecord[] {
  return records as unknown as StripeRecord[];
}

export class StripeStore {
  readonly #tables: Record<StripeResource, Table>;

  constructor(data: StripeData) {
    this.#tables = {
      customers: new Table(asRecords(data.customers)),
      products: new Table(asRecords(data.products)),
      prices: new Table(asRecords(data.prices)),
      subscriptions: new Table(asRecords(data.subscriptions)),
      charges: new Table(asRecords(data.charges)),
      invoices: new Table(asRecords(data.invoices)),
      events: new Table([]),
    };
  }

  get customers(): ReadonlyMap<string, StripeRecord> {
    return this.#tables.customers.byId;
  }
  get products(): ReadonlyMap<string, StripeRecord> {
    return this.#tables.products.byId;
  }
  get prices(): ReadonlyMap<string, StripeRecord> {
    return this.#tables.prices.byId;
  }
  get subscriptions(): ReadonlyMap<string, StripeRecord> {
    return this.#tables.subscriptions.byId;
  }
  get charges(): ReadonlyMap<string, StripeRecord> {
    return this.#tables.charges.byId;
  }
  get invoices(): ReadonlyMap<string, StripeRecord> {
    return this.#tables.invoices.byId;
  }
  get events(): ReadonlyMap<string, StripeRecord> {
    return this.#tables.events.byId;
  }

  get(resource: StripeResource, id: string): StripeRecord | undefined {
    return this.#tables[resource].byId.get(id);
  }

  isDeleted(resource: StripeResource, id: string): boolean {
    return this.#tables[resource].deleted.has(id);
  }

  /** Every live object, newest first. */
  list(resource: StripeResource): StripeRecord[] {
    const t = this.#tables[resource];
    return t.order.ids.map((id) => t.byId.get(id) as StripeRecord);
  }

  /** Inserts a new object or replaces the stored one (objects are never edited in place). */
  put(resource: StripeResource, record: StripeRecord): void {
    const t = this.#tables[resource];
    const old = t.byId.get(record.id);
    if (old && old.created !== record.created) t.order.remove(old.created, old.id);
    if (!old || old.created !== record.created) t.order.insert(record.created, record.id);
    t.byId.set(record.id, record);
  }

  remove(resource: StripeResource, id: string): void {
    const t = this.#tables[resource];
    const old = t.byId.get(id);
    if (!old) return;
    t.order.remove(old.created, id);
    t.byId.delete(id);
    t.deleted.set(id, old.created);
  }

  /** Adds a top-level field to every stored object of `resource`, replacing each with an extended copy. */
  addField(resource: StripeResource, key: string, valueFor: (record: StripeRecord) => JsonValue): void {
    const t = this.#tables[resource];
    for (const [id, record] of t.byId) t.byId.set(id, { ...record, [key]: valueFor(record) });
  }

  /** One page, newest first; `hasMore` says whether more matches lie beyond it in the paging direction. */
  page(resource: StripeResource, q: PageQuery): { data: StripeRecord[]; hasMore: boolean } {
    const t = this.#tables[resource];
    const { order } = t;
    let start = 0;
    let end = order.ids.length;
    const c = q.created ?? {};
    if (c.lte !== undefined) start = Math.max(start, order.atOrBelow(c.lte));
    if (c.lt !== undefined) start = Math.max(start, order.atOrBelow(c.lt - 1));
    if (c.gte !== undefined) end = Math.min(end, order.atOrBelow(c.gte - 1));
    if (c.gt !== undefined) end = Math.min(end, order.atOrBelow(c.gt));
    const accept = q.filter ?? (() => true);
    const out: StripeRecord[] = [];
    if (q.endingBefore !== undefined) {
      const at = this.#cursor(t, resource, q.endingBefore, 'ending_before');
      // Walk towards newer objects, then present them newest first like every Stripe page.
      for (let i = Math.min(at, end) - 1; i >= start && out.length <= q.limit; i--) {
        const r = t.byId.get(order.ids[i] as string) as StripeRecord;
        if (accept(r)) out.push(r);
      }
      const hasMore = out.length > q.limit;
      return { data: out.slice(0, q.limit).reverse(), hasMore };
    }
    if (q.startingAfter !== undefined) {
      const at = this.#cursor(t, resource, q.startingAfter, 'starting_after');
      const exact = order.ids[at] === q.startingAfter;
      start = Math.max(start, exact ? at + 1 : at);
    }
    for (let i = start; i < end && out.length <= q.limit; i++) {
      const r = t.byId.get(order.ids[i] as string) as StripeRecord;
      if (accept(r)) out.push(r);
    }
    return { data: out.slice(0, q.limit), hasMore: out.length > q.limit };
  }

  /** Position of a cursor object in the index (its own slot, even if it was deleted since). */
  #cursor(t: Table, resource: StripeResource, id: string, param: string): number {
    const created = t.byId.get(id)?.created ?? t.deleted.get(id);
    if (created === undefined) throw StripeError.missing(SINGULAR[resource], id, param, 400);
    return t.order.lowerBound(created, id);
  }
}
