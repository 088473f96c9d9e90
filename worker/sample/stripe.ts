// Stripe sample generator: customers with their subscriptions, invoices and charges, built over the catalog.

import type { Person } from './people.ts';
import { addMonths, DAY, EMPTY_LIST, frozen, HOUR, sortByCreated, type Rng, type Weighted } from './prng.ts';
import { buildCatalog, makeCard, makeCustomer, planOf, PLANS, type Tier } from './stripe-catalog.ts';
import { chargePayer, makeCharge, type StripeCharge } from './stripe-charges.ts';
import { makeInvoice, type StripeInvoice } from './stripe-invoices.ts';
import type {
  CustomerCard,
  StripeContext,
  StripeCustomer,
  StripeAddress,
  StripePlan,
  StripePrice,
  StripeProduct,
  StripeSubscription,
  StripeSubscriptionStatus,
} from './stripe-types.ts';

export interface StripeData {
  customers: StripeCustomer[];
  products: StripeProduct[];
  prices: StripePrice[];
  subscriptions: StripeSubscription[];
  charges: StripeCharge[];
  invoices: StripeInvoice[];
}

const SUB_STATUS: Weighted<StripeSubscriptionStatus> = [
  ['active', 0.65],
  ['canceled', 0.15],
  ['past_due', 0.1],
  ['trialing', 0.1],
];
const CHARGES_PER_CUSTOMER: Weighted<number> = [
  [1, 0.4],
  [2, 0.27],
  [3, 0.17],
  [4, 0.1],
  [5, 0.06],
];
const SEATS: Weighted<number> = [
  [1, 0.7],
  [2, 0.12],
  [3, 0.08],
  [5, 0.06],
  [10, 0.04],
];
const ONE_OFF_AMOUNTS = [4900, 15000, 25000, 49900, 120000];
const ONE_OFF_DESCRIPTIONS = [
  'Onboarding package',
  'Implementation services',
  'Consulting hours',
  null,
  null,
];
const FEEDBACK = ['too_expensive', 'switched_service', 'unused', 'missing_features', 'low_quality', null];

// Constant sub-objects shared (frozen) by every subscription; see `frozen` for why.
const SUB_FIXED = frozen({
  automatic_tax: { disabled_reason: null, enabled: false, liability: null },
  billing_mode: { flexible: null, type: 'classic' },
  invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
  managed_payments: { enabled: false },
  no_cancellation: { comment: null, feedback: null, reason: null },
  payment_settings: {
    payment_method_options: null,
    payment_method_types: null,
    save_default_payment_method: 'off',
  },
  trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
});

interface Embed {
  price: StripePrice;
  plan: StripePlan;
}

interface Shared {
  embeds: Map<StripePrice, Embed>;
  address: StripeAddress | null;
}

/** The price snapshot (and legacy plan) that subscription items expand, one frozen copy per price. */
function embedPrice(price: StripePrice): Embed {
  const copy = {
    ...price,
    metadata: { ...price.metadata },
    recurring: price.recurring ? { ...price.recurring } : null,
  };
  return { price: frozen(copy), plan: frozen(planOf(price)) };
}

/** Never later than halfway between `from` and now, so derived events stay strictly in the past. */
function after(now: number, from: number, offset: number): number {
  return Math.min(from + offset, from + Math.floor((now - from) / 2));
}

/** The billing period of an anchor-aligned subscription that contains time `t`, plus the previous start. */
function periodContaining(
  anchor: number,
  months: number,
  t: number,
): { prev: number; start: number; end: number } {
  let k = Math.max(0, Math.floor((t - anchor) / (months * 30.44 * DAY)) - 1);
  let start = addMonths(anchor, k * months);
  let end = addMonths(anchor, (k + 1) * months);
  while (end <= t) {
    k++;
    start = end;
    end = addMonths(anchor, (k + 1) * months);
  }
  return { prev: k > 0 ? addMonths(anchor, (k - 1) * months) : start, start, end };
}

function subscribe(ctx: StripeContext, c: StripeCustomer, card: CustomerCard, tier: Tier, shared: Shared) {
  const { rng, now } = ctx;
  const price = tier.yearly && rng.chance(0.25) ? tier.yearly : tier.monthly;
  const embed = shared.embeds.get(price) ?? embedPrice(price);
  const months = price.recurring?.interval === 'year' ? 12 : 1;
  const status = rng.weighted(SUB_STATUS);
  const quantity = tier.key === 'starter' ? 1 : rng.weighted(SEATS);
  const id = ctx.longId('sub');
  const invoiceId = ctx.longId('in');
  const trialing = status === 'trialing';
  const created = trialing
    ? Math.max(c.created + 60, now - rng.int(HOUR, 13 * DAY))
    : after(now, c.created, rng.int(60, 7 * DAY));
  const trialEnd = trialing ? created + 14 * DAY : null;
  const canceledAt = status === 'canceled' ? rng.between(after(now, created, DAY), now - 1) : null;
  const period = trialEnd
    ? { prev: created, start: created, end: trialEnd }
    : periodContaining(created, months, canceledAt ?? now - 1);
  const paymentFailed = status === 'past_due' || (status === 'canceled' && rng.chance(0.25));
  const cancelAtPeriodEnd = status === 'active' && rng.chance(0.05);
  const sendInvoice = rng.chance(0.15);
  const sub: StripeSubscription = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: SUB_FIXED.automatic_tax,
    billing_cycle_anchor: trialEnd ?? created,
    billing_cycle_anchor_config: null,
    billing_mode: SUB_FIXED.billing_mode,
    billing_schedules: EMPTY_LIST,
    billing_thresholds: null,
    cancel_at: cancelAtPeriodEnd ? period.end : null,
    cancel_at_period_end: cancelAtPeriodEnd,
    canceled_at: canceledAt,
    cancellation_details:
      canceledAt !== null || cancelAtPeriodEnd
        ? {
            comment: null,
            feedback: paymentFailed ? null : rng.pick(FEEDBACK),
            reason: paymentFailed ? 'payment_failed' : 'cancellation_requested',
          }
        : SUB_FIXED.no_cancellation,
    collection_method: sendInvoice ? 'send_invoice' : 'charge_automatically',
    created,
    currency: 'usd',
    current_period_end: period.end,
    current_period_start: period.start,
    customer: c.id,
    customer_account: null,
    days_until_due: sendInvoice ? 30 : null,
    default_payment_method: sendInvoice ? null : card.paymentMethod,
    default_source: null,
    default_tax_rates: EMPTY_LIST,
    description: null,
    discounts: EMPTY_LIST,
    ended_at: canceledAt,
    invoice_settings: SUB_FIXED.invoice_settings,
    items: {
      object: 'list',
      data: [],
      has_more: false,
      total_count: 1,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: invoiceId,
    livemode: false,
    managed_payments: SUB_FIXED.managed_payments,
    metadata: {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: SUB_FIXED.payment_settings,
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: created,
    status,
    test_clock: null,
    transfer_data: null,
    trial_end: trialEnd,
    trial_settings: SUB_FIXED.trial_settings,
    trial_start: trialing ? created : null,
  };
  sub.items.data.push({
    id: rng.alnum(14, 'si_'),
    object: 'subscription_item',
    billing_thresholds: null,
    created: created + 1,
    current_period_end: period.end,
    current_period_start: period.start,
    discounts: EMPTY_LIST,
    metadata: {},
    plan: embed.plan,
    price: embed.price,
    quantity,
    subscription: id,
    tax_rates: EMPTY_LIST,
  });
  const first = period.start === created;
  const invoice = makeInvoice(ctx, {
    id: invoiceId,
    customer: c,
    customerAddress: shared.address,
    subscription: sub,
    price,
    productName: tier.product.name,
    quantity,
    status: status === 'past_due' ? 'open' : paymentFailed ? 'void' : 'paid',
    created: period.start,
    period: first ? [period.start, period.start] : [period.prev, period.start],
    linePeriod: [period.start, period.end],
    billingReason: first ? 'subscription_create' : 'subscription_cycle',
    voidedAt: canceledAt,
  });
  return { sub, invoice, amount: trialing ? 0 : (price.unit_amount ?? 0) * quantity };
}

export function generateStripe(rng: Rng, people: readonly Person[], now: number): StripeData {
  const account = rng.alnum(15, 'acct_1');
  const tag = account.slice(6, 16);
  const ctx: StripeContext = {
    rng,
    now,
    account,
    longId: (prefix) => rng.alnum(5, `${prefix}_1`, tag, 8),
  };
  const { products, prices, tiers } = buildCatalog(ctx);
  const tierWeights = tiers.map((t, i) => [t, PLANS[i]?.[4] ?? 0] as const);
  const embeds = new Map(prices.map((pr) => [pr, embedPrice(pr)]));
  const out: StripeData = { customers: [], products, prices, subscriptions: [], charges: [], invoices: [] };
  for (const p of people) {
    const card = makeCard(ctx);
    const c = makeCustomer(ctx, p, card);
    out.customers.push(c);
    // Invoices and charges snapshot the address; one frozen copy per customer serves them all.
    const address = c.address ? Object.freeze({ ...c.address }) : null;
    const payer = chargePayer(c, card, address);
    let recurring = 0;
    if (rng.chance(0.7)) {
      const { sub, invoice, amount } = subscribe(ctx, c, card, rng.weighted(tierWeights), {
        embeds,
        address,
      });
      out.subscriptions.push(sub);
      out.invoices.push(invoice);
      c.next_invoice_sequence = 2;
      c.delinquent = sub.status === 'past_due' && rng.chance(0.7);
      recurring = amount;
    }
    const n = rng.weighted(CHARGES_PER_CUSTOMER);
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(rng.between(c.created + 60, now - 1));
    times.sort((a, b) => a - b);
    times.forEach((t, i) => {
      const amount = recurring > 0 ? recurring : rng.pick(ONE_OFF_AMOUNTS);
      const description =
        recurring > 0
          ? i === 0
            ? 'Subscription creation'
            : 'Subscription update'
          : rng.pick(ONE_OFF_DESCRIPTIONS);
      out.charges.push(makeCharge(ctx, payer, amount, t, description));
    });
  }
  // Tiny pools may roll no delinquent customer at all; the sample promises at least one.
  if (out.customers.length > 0 && !out.customers.some((c) => c.delinquent)) {
    const pastDue = out.subscriptions.find((s) => s.status === 'past_due');
    const target = out.customers.find((c) => c.id === pastDue?.customer) ?? out.customers[0];
    if (target) target.delinquent = true;
  }
  sortByCreated(out.customers);
  sortByCreated(out.subscriptions);
  sortByCreated(out.charges);
  sortByCreated(out.invoices);
  return out;
}
