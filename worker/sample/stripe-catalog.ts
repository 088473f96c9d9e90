// Stripe sample catalog (products, prices, legacy plans) and the customer/card records of the people pool.

import type { Person } from './people.ts';
import { DAY, HOUR, type Weighted } from './prng.ts';
import type {
  CustomerCard,
  StripeContext,
  StripeCustomer,
  StripePlan,
  StripePrice,
  StripeProduct,
} from './stripe-types.ts';

export interface Tier {
  key: string;
  product: StripeProduct;
  monthly: StripePrice;
  yearly: StripePrice | null;
}

type PlanRow = [
  key: string,
  name: string,
  monthly: number,
  yearly: number | null,
  weight: number,
  blurb: string,
];

export const PLANS: readonly PlanRow[] = [
  ['starter', 'Starter', 2900, 29000, 0.4, 'For small teams syncing their first SaaS sources.'],
  ['pro', 'Pro', 9900, 99000, 0.33, 'Unlimited sources, hourly syncs and SQL write-back.'],
  ['business', 'Business', 29900, null, 0.19, 'SSO, audit log and priority support for growing companies.'],
  ['enterprise', 'Enterprise', 99900, null, 0.08, 'Dedicated infrastructure, SLAs and a named CSM.'],
];
const BRANDS: Weighted<string> = [
  ['visa', 0.55],
  ['mastercard', 0.3],
  ['amex', 0.12],
  ['discover', 0.03],
];

export function buildCatalog(ctx: StripeContext): {
  products: StripeProduct[];
  prices: StripePrice[];
  tiers: Tier[];
} {
  const products: StripeProduct[] = [];
  const prices: StripePrice[] = [];
  const tiers: Tier[] = [];
  const launched = ctx.now - 1200 * DAY;
  PLANS.forEach(([key, name, monthly, yearly, , blurb], i) => {
    const created = launched + i * 3 * HOUR;
    const productId = ctx.rng.alnum(14, 'prod_');
    const price = (amount: number, interval: 'month' | 'year'): StripePrice => ({
      id: ctx.longId('price'),
      object: 'price',
      active: true,
      billing_scheme: 'per_unit',
      created,
      currency: 'usd',
      custom_unit_amount: null,
      livemode: false,
      lookup_key: `${key}_${interval}ly`,
      metadata: {},
      nickname: `${name} ${interval === 'month' ? 'Monthly' : 'Yearly'}`,
      product: productId,
      recurring: {
        interval,
        interval_count: 1,
        meter: null,
        trial_period_days: null,
        usage_type: 'licensed',
      },
      tax_behavior: 'exclusive',
      tiers_mode: null,
      transform_quantity: null,
      type: 'recurring',
      unit_amount: amount,
      unit_amount_decimal: String(amount),
    });
    const m = price(monthly, 'month');
    const y = yearly === null ? null : price(yearly, 'year');
    const product: StripeProduct = {
      id: productId,
      object: 'product',
      active: true,
      created,
      default_price: m.id,
      description: blurb,
      images: [],
      livemode: false,
      marketing_features: [{ name: `${name} plan` }],
      metadata: { tier: key },
      name: `Dinobase ${name}`,
      package_dimensions: null,
      shippable: null,
      statement_descriptor: null,
      tax_code: 'txcd_10103001',
      type: 'service',
      unit_label: 'seat',
      updated: created + ctx.rng.int(1, 90) * DAY,
      url: null,
    };
    products.push(product);
    prices.push(m);
    if (y) prices.push(y);
    tiers.push({ key, product, monthly: m, yearly: y });
  });
  return { products, prices, tiers };
}

export function planOf(price: StripePrice): StripePlan {
  const r = price.recurring;
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: r ? r.interval : 'month',
    interval_count: r ? r.interval_count : 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: r ? r.usage_type : 'licensed',
  };
}
export function makeCustomer(ctx: StripeContext, p: Person, card: CustomerCard): StripeCustomer {
  const { rng, now } = ctx;
  return {
    id: rng.alnum(14, 'cus_'),
    object: 'customer',
    address: rng.chance(0.9)
      ? {
          city: p.company.city,
          country: 'US',
          line1: p.line1,
          line2: p.line2,
          postal_code: p.company.postalCode,
          state: p.company.state,
        }
      : null,
    balance: 0,
    created: Math.min(p.since + rng.int(600, 30 * DAY), now - rng.int(HOUR, 6 * HOUR)),
    currency: 'usd',
    default_source: null,
    delinquent: false,
    description: `Customer at ${p.company.name}`,
    discount: null,
    email: p.email,
    invoice_prefix: rng.chars('0123456789ABCDEF', 8),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: card.paymentMethod,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: rng.chance(0.6) ? { company: p.company.name } : {},
    name: p.name,
    next_invoice_sequence: 1,
    phone: rng.chance(0.8) ? p.phone : null,
    preferred_locales: ['en-US'],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

export function makeCard(ctx: StripeContext): CustomerCard {
  const { rng } = ctx;
  return {
    paymentMethod: ctx.longId('pm'),
    brand: rng.weighted(BRANDS),
    last4: rng.digits(4),
    expMonth: rng.int(1, 12),
    expYear: new Date(ctx.now * 1000).getUTCFullYear() + rng.int(1, 5),
    funding: rng.chance(0.75) ? 'credit' : 'debit',
    fingerprint: rng.alnum(16),
  };
}
