// Stripe list parameters (limit, cursors, created ranges, per-resource filters) and `expand` for lists and retrieves.
import type { JsonObject, JsonValue } from '../../worker/sample/dataset.ts';
import {
  expandParam,
  integerParam,
  StripeError,
  stringParam,
  type FormObject,
  type FormValue,
} from './stripe-forms.ts';
import type { CreatedRange, PageQuery, StripeRecord, StripeResource, StripeStore } from './stripe-store.ts';

type Predicate = (r: StripeRecord) => boolean;
type FilterParser = (value: FormValue, name: string) => Predicate;

const SUBSCRIPTION_STATUSES = [
  'active',
  'all',
  'canceled',
  'ended',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
];
const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'];

const equals =
  (field: string): FilterParser =>
  (value, name) => {
    const v = stringParam(name, value);
    return (r) => r[field] === v;
  };

const bool =
  (field: string): FilterParser =>
  (value, name) => {
    if (value !== 'true' && value !== 'false')
      throw StripeError.invalid(`Invalid boolean: ${String(value)}`, name);
    return (r) => r[field] === (value === 'true');
  };

const oneOf =
  (field: string): FilterParser =>
  (value, name) => {
    const list = (Array.isArray(value) ? value : [value]).map((v) => stringParam(name, v));
    return (r) => list.includes(String(r[field]));
  };

const enumeration =
  (field: string, allowed: string[]): FilterParser =>
  (value, name) => {
    const v = stringParam(name, value) ?? '';
    if (!allowed.includes(v)) {
      throw StripeError.invalid(`Invalid ${name}: must be one of ${allowed.join(', ')}`, name);
    }
    return (r) => r[field] === v;
  };

/** `customer.*` style wildcards as Stripe documents them for event types. */
function typePattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

const FILTERS: Record<StripeResource, Record<string, FilterParser>> = {
  customers: { email: equals('email'), test_clock: equals('test_clock') },
  products: {
    active: bool('active'),
    ids: oneOf('id'),
    shippable: bool('shippable'),
    url: equals('url'),
    type: equals('type'),
  },
  prices: {
    active: bool('active'),
    currency: equals('currency'),
    product: equals('product'),
    type: enumeration('type', ['one_time', 'recurring']),
    lookup_keys: oneOf('lookup_key'),
  },
  subscriptions: {
    customer: equals('customer'),
    collection_method: enumeration('collection_method', ['charge_automatically', 'send_invoice']),
    price: (value, name) => {
      const id = stringParam(name, value);
      return (r) => JSON.stringify(r.items).includes(`"price":{"id":"${id}"`);
    },
    // Handled with the default in subscriptionStatus(); listed so the name is accepted.
    status: () => () => true,
  },
  charges: {
    customer: equals('customer'),
    payment_intent: equals('payment_intent'),
    transfer_group: equals('transfer_group'),
  },
  invoices: {
    customer: equals('customer'),
    subscription: equals('subscription'),
    status: enumeration('status', INVOICE_STATUSES),
    collection_method: enumeration('collection_method', ['charge_automatically', 'send_invoice']),
  },
  events: {
    type: (value, name) => {
      const re = typePattern(stringParam(name, value) ?? '');
      return (r) => re.test(String(r.type));
    },
    types: (value, name) => {
      const res = (Array.isArray(value) ? value : [value]).map((v) =>
        typePattern(stringParam(name, v) ?? ''),
      );
      if (res.length > 20) throw StripeError.invalid('You may pass at most 20 event types.', name);
      return (r) => res.some((re) => re.test(String(r.type)));
    },
    delivery_success: (value, name) => {
      bool('pending_webhooks')(value, name);
      // Nothing is ever delivered from the sandbox, so every event counts as successfully delivered.
      return () => value === 'true';
    },
  },
};

function subscriptionStatus(value: FormValue | undefined): Predicate {
  if (value === undefined) return (r) => r.status !== 'canceled' && r.status !== 'incomplete_expired';
  const v = stringParam('status', value) ?? '';
  if (!SUBSCRIPTION_STATUSES.includes(v)) {
    throw StripeError.invalid(`Invalid status: must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`, 'status');
  }
  if (v === 'all') return () => true;
  if (v === 'ended') return (r) => r.status === 'canceled' || r.status === 'incomplete_expired';
  return (r) => r.status === v;
}

function createdRange(value: FormValue | undefined): CreatedRange | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const at = integerParam('created', value) as number;
    return { gte: at, lte: at };
  }
  if (Array.isArray(value))
    throw StripeError.invalid('Invalid created: must be an integer or a hash', 'created');
  const range: CreatedRange = {};
  for (const [op, v] of Object.entries(value)) {
    if (op !== 'gt' && op !== 'gte' && op !== 'lt' && op !== 'lte')
      throw StripeError.unknownParam(`created[${op}]`);
    range[op] = integerParam(`created[${op}]`, v);
  }
  return range;
}

/** Parses and validates a list request's params; unknown ones are rejected like Stripe does. */
export function parseList(
  resource: StripeResource,
  params: FormObject,
): { query: PageQuery; expand: string[] } {
  const filters = FILTERS[resource];
  const predicates: Predicate[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (['limit', 'starting_after', 'ending_before', 'created', 'expand'].includes(name)) continue;
    const parse = filters[name];
    if (!parse) throw StripeError.unknownParam(name);
    predicates.push(parse(value, name));
  }
  if (resource === 'subscriptions') predicates.push(subscriptionStatus(params.status));
  const limit = integerParam('limit', params.limit) ?? 10;
  if (limit > 100) throw StripeError.invalid('This value must be less than or equal to 100.', 'limit');
  if (limit < 1) throw StripeError.invalid('This value must be greater than or equal to 1.', 'limit');
  const startingAfter = stringParam('starting_after', params.starting_after) || undefined;
  const endingBefore = stringParam('ending_before', params.ending_before) || undefined;
  if (startingAfter && endingBefore) {
    throw StripeError.invalid(
      'You may only specify one of these parameters: ending_before, starting_after.',
      'ending_before',
    );
  }
  const query: PageQuery = { limit, startingAfter, endingBefore, created: createdRange(params.created) };
  if (predicates.length > 0) query.filter = (r) => predicates.every((p) => p(r));
  return { query, expand: expandParam(params.expand) };
}

const PREFIXES: [string, StripeResource][] = [
  ['cus_', 'customers'],
  ['prod_', 'products'],
  ['price_', 'prices'],
  ['sub_', 'subscriptions'],
  ['ch_', 'charges'],
  ['in_', 'invoices'],
  ['evt_', 'events'],
];

/** Replaces id references at the dotted paths with the objects they name, copying along the way. */
export function expand(store: StripeStore, record: JsonObject, paths: string[], prefix = ''): JsonObject {
  let out = record;
  for (const path of paths) out = expandOne(store, out, path.split('.'), prefix + path);
  return out;
}

function expandOne(store: StripeStore, node: JsonObject, parts: string[], full: string): JsonObject {
  const [head, ...rest] = parts;
  if (head === undefined || parts.length > 4)
    throw StripeError.invalid(`This property cannot be expanded (${full}).`, 'expand');
  const value: JsonValue | undefined = node[head];
  if (rest.length > 0) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      if (value === null) return node;
      throw StripeError.invalid(`This property cannot be expanded (${full}).`, 'expand');
    }
    return { ...node, [head]: expandOne(store, value, rest, full) };
  }
  if (value === null || (typeof value === 'object' && !Array.isArray(value))) return node;
  const target = typeof value === 'string' ? PREFIXES.find(([p]) => value.startsWith(p))?.[1] : undefined;
  if (typeof value !== 'string' || !target) {
    throw StripeError.invalid(`This property cannot be expanded (${full}).`, 'expand');
  }
  const found: JsonObject | undefined =
    store.get(target, value) ??
    (store.isDeleted(target, value) ? { id: value, object: target.slice(0, -1), deleted: true } : undefined);
  return found ? { ...node, [head]: found } : node;
}
