// Stripe sandbox writes: create/update/delete semantics per resource, param validation, and the Events they append.
import { isRecord } from '../../common/json.ts';
import type { JsonObject, JsonValue } from '../../worker/sample/dataset.ts';
import type { IdSource } from './control.ts';
import { coerce, previousAttributes, StripeError, type FormObject } from './stripe-forms.ts';
import { SINGULAR, type StripeRecord, type StripeResource, type StripeStore } from './stripe-store.ts';

export type WritableResource = 'customers' | 'products' | 'prices' | 'subscriptions';

export interface WriteOrigin {
  requestId: string | null;
  idempotencyKey: string | null;
}

const EVENT_PREFIX: Record<StripeResource, string> = {
  customers: 'customer',
  products: 'product',
  prices: 'price',
  subscriptions: 'customer.subscription',
  charges: 'charge',
  invoices: 'invoice',
  events: 'event',
};

const READ_ONLY = new Set(['id', 'object', 'created', 'livemode', 'updated', 'deleted']);
const CUSTOMER_READ_ONLY = new Set(['delinquent', 'discount', 'currency', 'test_clock']);
const PRICE_CREATE = [
  'active',
  'billing_scheme',
  'currency',
  'custom_unit_amount',
  'lookup_key',
  'metadata',
  'nickname',
  'product',
  'recurring',
  'tax_behavior',
  'tiers_mode',
  'transform_quantity',
  'unit_amount',
  'unit_amount_decimal',
];
const PRICE_UPDATE = ['active', 'lookup_key', 'metadata', 'nickname', 'tax_behavior'];
const SUBSCRIPTION_UPDATE = [
  'cancel_at',
  'cancel_at_period_end',
  'cancellation_details',
  'collection_method',
  'days_until_due',
  'default_payment_method',
  'default_source',
  'description',
  'metadata',
  'pause_collection',
  'trial_end',
];
const ADDRESS_KEYS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'];
/** Params Stripe accepts that steer the request rather than set a field. */
const CONTROL_PARAMS: Record<WritableResource, string[]> = {
  customers: [],
  products: [],
  prices: [],
  subscriptions: ['proration_behavior', 'proration_date', 'payment_behavior'],
};

export class StripeWriter {
  #eventSeq = 0;

  constructor(
    private readonly store: StripeStore,
    private readonly now: () => number,
    private readonly ids: IdSource,
    private readonly apiVersion: string,
  ) {}

  #nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Field names a create/update accepts: the object's own writable keys, per Stripe's reference. */
  allowedParams(resource: WritableResource, op: 'create' | 'update', base: StripeRecord): Set<string> {
    let keys: string[];
    if (resource === 'prices') keys = op === 'create' ? PRICE_CREATE : PRICE_UPDATE;
    else if (resource === 'subscriptions') keys = SUBSCRIPTION_UPDATE;
    else {
      keys = Object.keys(base).filter(
        (k) => !READ_ONLY.has(k) && !(resource === 'customers' && CUSTOMER_READ_ONLY.has(k)),
      );
      if (op === 'create' && resource === 'products') keys.push('id');
      if (op === 'create' && resource === 'customers') keys.push('test_clock');
    }
    return new Set([...keys, ...CONTROL_PARAMS[resource], 'expand']);
  }

  /**
   * Rejects unknown params, then converts form strings to the types the fields hold. `base` is the object being
   * updated, or none for a create (a blank object of the resource then gives the types).
   */
  decode(resource: WritableResource, params: FormObject, base?: StripeRecord): JsonObject {
    const target = base ?? this.#template(resource, '');
    const allowed = this.allowedParams(resource, base ? 'update' : 'create', target);
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(params)) {
      if (!allowed.has(key)) throw StripeError.unknownParam(key);
      if (key === 'expand' || CONTROL_PARAMS[resource].includes(key)) continue;
      out[key] = key === 'metadata' && value === '' ? {} : coerce(key, value, target[key]);
    }
    return out;
  }

  create(resource: WritableResource, patch: JsonObject, origin: WriteOrigin): StripeRecord {
    if (resource === 'subscriptions')
      throw StripeError.invalid('Creating subscriptions is not supported here.');
    const id = this.#newId(resource, patch);
    const record = this.#apply(resource, this.#template(resource, id), patch);
    this.#validateCreate(resource, record);
    this.store.put(resource, record);
    this.#event(`${EVENT_PREFIX[resource]}.created`, record, null, origin);
    return record;
  }

  update(resource: StripeResource, id: string, patch: JsonObject, origin: WriteOrigin): StripeRecord {
    const before = this.#existing(resource, id);
    if (resource === 'subscriptions' && before.status === 'canceled') {
      const disallowed = Object.keys(patch).find((k) => k !== 'metadata' && k !== 'cancellation_details');
      if (disallowed) {
        throw StripeError.invalid(
          'A canceled subscription can only update its cancellation_details and metadata.',
          disallowed,
        );
      }
    }
    const after = this.#apply(resource, before, patch);
    if (
      resource === 'customers' &&
      typeof after.email === 'string' &&
      !/^[^@\s]+@[^@\s]+$/.test(after.email)
    ) {
      throw StripeError.invalid(`Invalid email address: ${after.email}`, 'email');
    }
    if (Object.keys(previousAttributes(before, after)).length === 0) return before;
    if (resource === 'products') after.updated = this.#nowSec();
    this.store.put(resource, after);
    this.#event(`${EVENT_PREFIX[resource]}.updated`, after, previousAttributes(before, after), origin);
    return after;
  }

  /** DELETE: customers disappear (cancelling their subscriptions, as Stripe does); subscriptions are cancelled. */
  remove(resource: WritableResource, id: string, origin: WriteOrigin): JsonObject {
    const before = this.#existing(resource, id);
    if (resource === 'subscriptions') return this.#cancel(before, origin);
    if (resource !== 'customers') throw StripeError.invalid(`This ${SINGULAR[resource]} cannot be deleted.`);
    for (const sub of this.store.list('subscriptions')) {
      if (sub.customer === id && sub.status !== 'canceled') this.#cancel(sub, origin);
    }
    this.store.remove(resource, id);
    this.#event('customer.deleted', before, null, origin);
    return { id, object: 'customer', deleted: true };
  }

  #cancel(before: StripeRecord, origin: WriteOrigin): StripeRecord {
    if (before.status === 'canceled') {
      throw StripeError.invalid(`No such subscription: '${before.id}'; it has already been canceled.`, 'id');
    }
    const now = this.#nowSec();
    const after: StripeRecord = {
      ...before,
      status: 'canceled',
      canceled_at: now,
      ended_at: now,
      cancel_at_period_end: false,
    };
    this.store.put('subscriptions', after);
    this.#event('customer.subscription.deleted', after, previousAttributes(before, after), origin);
    return after;
  }

  #existing(resource: StripeResource, id: string): StripeRecord {
    const record = this.store.get(resource, id);
    if (!record) throw StripeError.missing(SINGULAR[resource], id, 'id');
    return record;
  }

  /** Merges a typed patch: hashes merge key by key, metadata keys set to null/'' are removed. */
  #apply(resource: StripeResource, before: StripeRecord, patch: JsonObject): StripeRecord {
    const after: StripeRecord = { ...before };
    for (const [key, value] of Object.entries(patch)) {
      const old = before[key];
      if (key === 'metadata') {
        const updates = isRecord(value) ? value : {};
        const kept = Object.keys(updates).length > 0 && isRecord(old) ? Object.entries(old) : [];
        const merged = new Map<string, JsonValue>(kept);
        for (const [k, v] of Object.entries(updates)) {
          if (v === null || v === '') merged.delete(k);
          else merged.set(k, typeof v === 'string' ? v : JSON.stringify(v));
        }
        after.metadata = Object.fromEntries(merged);
      } else if (isRecord(value) && (isRecord(old) || key === 'address')) {
        const base: JsonObject = isRecord(old) ? old : Object.fromEntries(ADDRESS_KEYS.map((k) => [k, null]));
        after[key] = { ...base, ...value };
      } else {
        after[key] = value;
      }
    }
    if (resource === 'subscriptions' && 'cancel_at_period_end' in patch) {
      const cancel = patch.cancel_at_period_end === true;
      after.cancel_at = cancel ? (before.current_period_end ?? null) : null;
      after.canceled_at = cancel ? this.#nowSec() : null;
    }
    return after;
  }

  #newId(resource: WritableResource, patch: JsonObject): string {
    if (resource === 'products' && typeof patch.id === 'string') {
      if (this.store.get('products', patch.id) || this.store.isDeleted('products', patch.id)) {
        throw new StripeError(400, {
          code: 'resource_already_exists',
          message: 'Product already exists.',
          param: 'id',
          type: 'invalid_request_error',
        });
      }
      return patch.id;
    }
    if (resource === 'customers') return `cus_${this.ids.chars(14)}`;
    if (resource === 'products') return `prod_${this.ids.chars(14)}`;
    return `price_1${this.ids.chars(23)}`;
  }

  #validateCreate(resource: StripeResource, r: StripeRecord): void {
    if (resource === 'products' && (typeof r.name !== 'string' || r.name === '')) {
      throw StripeError.invalid('Missing required param: name.', 'name');
    }
    if (resource !== 'prices') return;
    if (typeof r.currency !== 'string')
      throw StripeError.invalid('Missing required param: currency.', 'currency');
    if (typeof r.product !== 'string')
      throw StripeError.invalid('Missing required param: product.', 'product');
    if (!this.store.get('products', r.product))
      throw StripeError.missing('product', r.product, 'product', 400);
    if (typeof r.unit_amount !== 'number') {
      throw StripeError.invalid('Missing required param: unit_amount.', 'unit_amount');
    }
    r.unit_amount_decimal = String(r.unit_amount);
    if (isRecord(r.recurring)) {
      const interval = r.recurring.interval;
      if (!['day', 'week', 'month', 'year'].includes(String(interval))) {
        throw StripeError.invalid(
          `Invalid recurring[interval]: must be one of day, week, month, or year`,
          'recurring[interval]',
        );
      }
      r.recurring = {
        interval: String(interval),
        interval_count: Number(r.recurring.interval_count ?? 1),
        meter: null,
        trial_period_days: r.recurring.trial_period_days ?? null,
        usage_type: r.recurring.usage_type ?? 'licensed',
      };
      r.type = 'recurring';
    }
  }

  #template(resource: StripeResource, id: string): StripeRecord {
    const created = this.#nowSec();
    const base = { id, object: SINGULAR[resource], created, livemode: false, metadata: {} };
    if (resource === 'customers') {
      return {
        ...base,
        address: null,
        balance: 0,
        currency: null,
        default_source: null,
        delinquent: false,
        description: null,
        discount: null,
        email: null,
        invoice_prefix: this.ids.chars(8, '0123456789ABCDEF'),
        invoice_settings: {
          custom_fields: null,
          default_payment_method: null,
          footer: null,
          rendering_options: null,
        },
        name: null,
        next_invoice_sequence: 1,
        phone: null,
        preferred_locales: [],
        shipping: null,
        tax_exempt: 'none',
        test_clock: null,
      };
    }
    if (resource === 'products') {
      return {
        ...base,
        active: true,
        default_price: null,
        description: null,
        images: [],
        marketing_features: [],
        name: '',
        package_dimensions: null,
        shippable: null,
        statement_descriptor: null,
        tax_code: null,
        type: 'service',
        unit_label: null,
        updated: created,
        url: null,
      };
    }
    return {
      ...base,
      active: true,
      billing_scheme: 'per_unit',
      currency: null,
      custom_unit_amount: null,
      lookup_key: null,
      nickname: null,
      product: null,
      recurring: null,
      tax_behavior: 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: 'one_time',
      unit_amount: null,
      unit_amount_decimal: null,
    };
  }

  #event(type: string, object: StripeRecord, previous: JsonObject | null, origin: WriteOrigin): void {
    // Ids grow with creation order so same-second events still list newest first.
    const seq = (this.#eventSeq++).toString(36).padStart(7, '0');
    const event: StripeRecord = {
      id: `evt_1${seq}${this.ids.chars(16)}`,
      object: 'event',
      api_version: this.apiVersion,
      created: this.#nowSec(),
      data: previous ? { object, previous_attributes: previous } : { object },
      livemode: false,
      pending_webhooks: 0,
      request: { id: origin.requestId, idempotency_key: origin.idempotencyKey },
      type,
    };
    this.store.put('events', event);
  }
}
