// Stripe invoice objects (with their single subscription line) for the sample dataset.

import { DAY, EMPTY_LIST, frozen, HOUR } from './prng.ts';
import type {
  JsonObject,
  JsonValue,
  Metadata,
  StripeAddress,
  StripeContext,
  StripeCustomer,
  StripeList,
  StripePrice,
  StripeSubscription,
} from './stripe-types.ts';

export interface StripeInvoiceLine {
  id: string;
  object: 'line_item';
  amount: number;
  currency: string;
  description: string | null;
  discount_amounts: JsonObject[];
  discountable: boolean;
  discounts: string[];
  invoice: string;
  livemode: boolean;
  metadata: Metadata;
  parent: JsonObject | null;
  period: { end: number; start: number };
  pretax_credit_amounts: JsonObject[] | null;
  pricing: JsonObject | null;
  quantity: number | null;
  quantity_decimal: string | null;
  subscription: string | null;
  subtotal: number;
  taxes: JsonObject[] | null;
}

export type StripeInvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

export interface StripeInvoice {
  id: string;
  object: 'invoice';
  account_country: string;
  account_name: string | null;
  account_tax_ids: string[] | null;
  amount_due: number;
  amount_overpaid: number;
  amount_paid: number;
  amount_remaining: number;
  amount_shipping: number;
  application: string | null;
  attempt_count: number;
  attempted: boolean;
  auto_advance: boolean;
  automatic_tax: JsonObject;
  automatically_finalizes_at: number | null;
  billing_reason: 'manual' | 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  collection_method: 'charge_automatically' | 'send_invoice';
  created: number;
  currency: string;
  custom_fields: JsonValue[] | null;
  customer: string;
  customer_account: string | null;
  customer_address: StripeAddress | null;
  customer_email: string | null;
  customer_name: string | null;
  customer_phone: string | null;
  customer_shipping: JsonObject | null;
  customer_tax_exempt: 'none' | 'exempt' | 'reverse' | null;
  customer_tax_ids: JsonObject[];
  default_payment_method: string | null;
  default_source: string | null;
  default_tax_rates: JsonObject[];
  description: string | null;
  discounts: string[];
  due_date: number | null;
  effective_at: number | null;
  ending_balance: number | null;
  footer: string | null;
  from_invoice: JsonObject | null;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  issuer: { type: 'self' | 'account' };
  last_finalization_error: JsonObject | null;
  latest_revision: string | null;
  lines: StripeList<StripeInvoiceLine>;
  livemode: boolean;
  metadata: Metadata;
  next_payment_attempt: number | null;
  number: string | null;
  on_behalf_of: string | null;
  parent: JsonObject | null;
  payment_settings: JsonObject;
  period_end: number;
  period_start: number;
  post_payment_credit_notes_amount: number;
  pre_payment_credit_notes_amount: number;
  receipt_number: string | null;
  rendering: JsonObject | null;
  shipping_cost: JsonObject | null;
  shipping_details: JsonObject | null;
  starting_balance: number;
  statement_descriptor: string | null;
  status: StripeInvoiceStatus;
  status_transitions: {
    finalized_at: number | null;
    marked_uncollectible_at: number | null;
    paid_at: number | null;
    voided_at: number | null;
  };
  subscription: string | null;
  subtotal: number;
  subtotal_excluding_tax: number | null;
  test_clock: string | null;
  total: number;
  total_discount_amounts: JsonObject[];
  total_excluding_tax: number | null;
  total_pretax_credit_amounts: JsonObject[] | null;
  total_taxes: JsonObject[] | null;
  webhooks_delivered_at: number | null;
}

export interface InvoiceParams {
  id: string;
  customer: StripeCustomer;
  /** Frozen address snapshot shared with the customer's charges. */
  customerAddress: StripeAddress | null;
  subscription: StripeSubscription;
  price: StripePrice;
  productName: string;
  quantity: number;
  status: 'paid' | 'open' | 'void';
  created: number;
  /** Billing period the invoice closes (invoice level), and the service period its line covers. */
  period: readonly [number, number];
  linePeriod: readonly [number, number];
  billingReason: StripeInvoice['billing_reason'];
  /** When the invoice was voided (e.g. at cancellation). */
  voidedAt: number | null;
}

// Constant sub-objects shared (frozen) by every invoice; see `frozen` for why.
const INVOICE_FIXED = frozen({
  automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
  issuer: { type: 'self' } as const,
  payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
});
const NO_METADATA = frozen({});
const pricing = new WeakMap<StripePrice, JsonObject>();

function pricingOf(price: StripePrice): JsonObject {
  let value = pricing.get(price);
  if (!value) {
    value = frozen({
      price_details: { price: price.id, product: price.product },
      type: 'price_details',
      unit_amount_decimal: price.unit_amount_decimal,
    });
    pricing.set(price, value);
  }
  return value;
}

function dollars(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}

export function makeInvoice(ctx: StripeContext, p: InvoiceParams): StripeInvoice {
  const { rng, now } = ctx;
  const c = p.customer;
  const sub = p.subscription;
  const unit = p.price.unit_amount ?? 0;
  // Trials bill a $0 first invoice, exactly as Stripe does.
  const amount = sub.status === 'trialing' ? 0 : unit * p.quantity;
  const paid = p.status === 'paid';
  const sendInvoice = sub.collection_method === 'send_invoice';
  const finalizedAt = Math.min(p.created + HOUR, now - 1);
  const paidAt = paid
    ? Math.min(finalizedAt + (sendInvoice ? rng.int(HOUR, 20 * DAY) : rng.int(5, 600)), now - 1)
    : null;
  const token = rng.alnum(44);
  const attempts = sendInvoice ? (paid ? 1 : 0) : paid ? 1 : rng.int(1, 4);
  const interval = p.price.recurring?.interval ?? 'month';
  const line: StripeInvoiceLine = {
    id: ctx.longId('il'),
    object: 'line_item',
    amount,
    currency: 'usd',
    description:
      sub.status === 'trialing'
        ? `Trial period for ${p.productName}`
        : `${p.quantity} × ${p.productName} (at ${dollars(unit)} / ${interval})`,
    discount_amounts: EMPTY_LIST,
    discountable: true,
    discounts: EMPTY_LIST,
    invoice: p.id,
    livemode: false,
    metadata: {},
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: sub.id,
        subscription_item: sub.items.data[0]?.id ?? null,
      },
      type: 'subscription_item_details',
    },
    period: { end: p.linePeriod[1], start: p.linePeriod[0] },
    pretax_credit_amounts: EMPTY_LIST,
    pricing: pricingOf(p.price),
    quantity: p.quantity,
    quantity_decimal: String(p.quantity),
    subscription: sub.id,
    subtotal: amount,
    taxes: EMPTY_LIST,
  };
  return {
    id: p.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Dinobase Demo, Inc.',
    account_tax_ids: null,
    amount_due: amount,
    amount_overpaid: 0,
    amount_paid: paid ? amount : 0,
    amount_remaining: paid ? 0 : amount,
    amount_shipping: 0,
    application: null,
    attempt_count: attempts,
    attempted: attempts > 0,
    auto_advance: p.status === 'open',
    automatic_tax: INVOICE_FIXED.automatic_tax,
    automatically_finalizes_at: null,
    billing_reason: p.billingReason,
    collection_method: sub.collection_method,
    created: p.created,
    currency: 'usd',
    custom_fields: null,
    customer: c.id,
    customer_account: null,
    customer_address: p.customerAddress,
    customer_email: c.email,
    customer_name: c.name,
    customer_phone: c.phone,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: EMPTY_LIST,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: EMPTY_LIST,
    description: null,
    discounts: EMPTY_LIST,
    due_date: sendInvoice ? p.created + (sub.days_until_due ?? 30) * DAY : null,
    effective_at: finalizedAt,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: `https://invoice.stripe.com/i/${ctx.account}/test_${token}?s=ap`,
    invoice_pdf: `https://pay.stripe.com/invoice/${ctx.account}/test_${token}/pdf?s=ap`,
    issuer: INVOICE_FIXED.issuer,
    last_finalization_error: null,
    latest_revision: null,
    lines: {
      object: 'list',
      data: [line],
      has_more: false,
      total_count: 1,
      url: `/v1/invoices/${p.id}/lines`,
    },
    livemode: false,
    metadata: {},
    // Stripe's smart retries: an open auto-charged invoice has its next attempt scheduled a few days out.
    next_payment_attempt: p.status === 'open' && !sendInvoice ? now + rng.int(1, 3) * DAY : null,
    number: `${c.invoice_prefix}-0001`,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: NO_METADATA, subscription: sub.id },
      type: 'subscription_details',
    },
    payment_settings: INVOICE_FIXED.payment_settings,
    period_end: p.period[1],
    period_start: p.period[0],
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: {
      amount_tax_display: null,
      pdf: { page_size: 'letter' },
      template: null,
      template_version: null,
    },
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: p.status,
    status_transitions: {
      finalized_at: finalizedAt,
      marked_uncollectible_at: null,
      paid_at: paidAt,
      voided_at: p.status === 'void' ? (p.voidedAt ?? finalizedAt) : null,
    },
    subscription: sub.id,
    subtotal: amount,
    subtotal_excluding_tax: amount,
    test_clock: null,
    total: amount,
    total_discount_amounts: EMPTY_LIST,
    total_excluding_tax: amount,
    total_pretax_credit_amounts: EMPTY_LIST,
    total_taxes: EMPTY_LIST,
    webhooks_delivered_at: Math.min(p.created + rng.int(1, 120), now - 1),
  };
}
