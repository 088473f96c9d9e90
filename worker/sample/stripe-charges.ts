// Stripe charge objects for the sample dataset: one card payment per call, with realistic outcomes.

import { DAY, frozen, type Weighted } from './prng.ts';
import type {
  CustomerCard,
  JsonObject,
  Metadata,
  StripeAddress,
  StripeContext,
  StripeCustomer,
  StripeList,
} from './stripe-types.ts';

export interface StripeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  application: string | null;
  application_fee: string | null;
  application_fee_amount: number | null;
  balance_transaction: string | null;
  billing_details: {
    address: StripeAddress;
    email: string | null;
    name: string | null;
    phone: string | null;
    tax_id: string | null;
  };
  calculated_statement_descriptor: string | null;
  captured: boolean;
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  disputed: boolean;
  failure_balance_transaction: string | null;
  failure_code: string | null;
  failure_message: string | null;
  fraud_details: JsonObject;
  livemode: boolean;
  metadata: Metadata;
  on_behalf_of: string | null;
  outcome: JsonObject | null;
  paid: boolean;
  payment_intent: string | null;
  payment_method: string | null;
  payment_method_details: { type: 'card'; card: StripeCardDetails };
  receipt_email: string | null;
  receipt_number: string | null;
  receipt_url: string | null;
  refunded: boolean;
  refunds: StripeList<JsonObject>;
  review: string | null;
  shipping: JsonObject | null;
  source: JsonObject | null;
  source_transfer: string | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: 'succeeded' | 'failed' | 'pending';
  transfer_data: JsonObject | null;
  transfer_group: string | null;
}

export interface StripeCardDetails {
  amount_authorized: number | null;
  authorization_code: string | null;
  brand: string;
  checks: JsonObject;
  country: string;
  exp_month: number;
  exp_year: number;
  extended_authorization: JsonObject;
  fingerprint: string;
  funding: 'credit' | 'debit' | 'prepaid';
  incremental_authorization: JsonObject;
  installments: JsonObject | null;
  last4: string;
  mandate: string | null;
  multicapture: JsonObject;
  network: string;
  network_token: JsonObject;
  network_transaction_id: string | null;
  overcapture: JsonObject;
  regulated_status: 'regulated' | 'unregulated' | null;
  three_d_secure: JsonObject | null;
  wallet: JsonObject | null;
}

const STATUS: Weighted<StripeCharge['status']> = [
  ['succeeded', 0.9],
  ['failed', 0.07],
  ['pending', 0.03],
];

const DECLINES: readonly (readonly [string, string])[] = [
  ['generic_decline', 'Your card was declined.'],
  ['insufficient_funds', 'Your card has insufficient funds.'],
  ['expired_card', 'Your card has expired.'],
  ['do_not_honor', 'Your card was declined.'],
];

const EMPTY_ADDRESS: StripeAddress = frozen({
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
});

// Constant sub-objects are shared (frozen) by every charge; see `frozen` for why.
const CARD_FIXED = frozen({
  checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
  extended_authorization: { status: 'disabled' },
  incremental_authorization: { status: 'unavailable' },
  multicapture: { status: 'unavailable' },
  network_token: { used: false },
});
const RECEIPT_BASE = 'https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8x';
const NO_FRAUD: JsonObject = frozen({});
const outcomes = new Map<string, JsonObject>();
const overcaptures = new Map<number, JsonObject>();

function outcome(decline: readonly [string, string] | null, risk: number): JsonObject {
  const key = `${decline?.[0] ?? 'ok'}:${risk}`;
  let o = outcomes.get(key);
  if (!o) {
    o = frozen({
      advice_code: decline ? 'try_again_later' : null,
      network_advice_code: null,
      network_decline_code: decline ? '05' : null,
      network_status: decline ? 'declined_by_network' : 'approved_by_network',
      reason: decline ? decline[0] : null,
      risk_level: 'normal',
      risk_score: risk,
      seller_message: decline
        ? 'The bank did not return any further details with this decline.'
        : 'Payment complete.',
      type: decline ? 'issuer_declined' : 'authorized',
    });
    outcomes.set(key, o);
  }
  return o;
}

function overcapture(amount: number): JsonObject {
  let o = overcaptures.get(amount);
  if (!o)
    overcaptures.set(amount, (o = frozen({ maximum_amount_capturable: amount, status: 'unavailable' })));
  return o;
}

/** Who pays: the customer's card and billing details, shared by all of that customer's charges. */
export interface ChargePayer {
  customer: string;
  email: string | null;
  card: CustomerCard;
  billingDetails: StripeCharge['billing_details'];
}

export function chargePayer(
  c: StripeCustomer,
  card: CustomerCard,
  address: StripeAddress | null,
): ChargePayer {
  return {
    customer: c.id,
    email: c.email,
    card,
    billingDetails: Object.freeze({
      address: address ?? EMPTY_ADDRESS,
      email: c.email,
      name: c.name,
      phone: null,
      tax_id: null,
    }),
  };
}

export function makeCharge(
  ctx: StripeContext,
  payer: ChargePayer,
  amount: number,
  created: number,
  description: string | null,
): StripeCharge {
  const { rng, now } = ctx;
  const card = payer.card;
  // Card payments only sit in `pending` briefly, so a pending charge is always a recent one.
  const status = rng.weighted(STATUS);
  const at = status === 'pending' ? Math.max(created, now - rng.int(600, 2 * DAY)) : created;
  const ok = status === 'succeeded';
  const decline = status === 'failed' ? rng.pick(DECLINES) : null;
  const id = ctx.longId('ch');
  const refunded = ok && rng.chance(0.02);
  const refunds: StripeList<JsonObject> = {
    object: 'list',
    data: [],
    has_more: false,
    total_count: 0,
    url: `/v1/charges/${id}/refunds`,
  };
  if (refunded) {
    refunds.data.push({
      id: ctx.longId('re'),
      object: 'refund',
      amount,
      charge: id,
      created: Math.min(at + rng.int(DAY, 20 * DAY), now - 1),
      currency: 'usd',
      reason: 'requested_by_customer',
      status: 'succeeded',
    });
    refunds.total_count = 1;
  }
  return {
    id,
    object: 'charge',
    amount,
    amount_captured: ok ? amount : 0,
    amount_refunded: refunded ? amount : 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: ok ? ctx.longId('txn') : null,
    billing_details: payer.billingDetails,
    calculated_statement_descriptor: ok ? 'DINOBASE DEMO' : null,
    captured: ok,
    created: at,
    currency: 'usd',
    customer: payer.customer,
    description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: decline ? 'card_declined' : null,
    failure_message: decline ? decline[1] : null,
    fraud_details: NO_FRAUD,
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: status === 'pending' ? null : outcome(decline, rng.int(2, 64)),
    paid: ok,
    payment_intent: ctx.longId('pi'),
    payment_method: card.paymentMethod,
    payment_method_details: {
      type: 'card',
      card: {
        amount_authorized: ok ? amount : null,
        authorization_code: ok ? rng.digits(6) : null,
        brand: card.brand,
        checks: CARD_FIXED.checks,
        country: 'US',
        exp_month: card.expMonth,
        exp_year: card.expYear,
        extended_authorization: CARD_FIXED.extended_authorization,
        fingerprint: card.fingerprint,
        funding: card.funding,
        incremental_authorization: CARD_FIXED.incremental_authorization,
        installments: null,
        last4: card.last4,
        mandate: null,
        multicapture: CARD_FIXED.multicapture,
        network: card.brand,
        network_token: CARD_FIXED.network_token,
        network_transaction_id: ok ? rng.digits(15) : null,
        overcapture: overcapture(amount),
        regulated_status: 'unregulated',
        three_d_secure: null,
        wallet: null,
      },
    },
    receipt_email: payer.email,
    receipt_number: null,
    receipt_url: ok ? RECEIPT_BASE + rng.alnum(32) : null,
    refunded,
    refunds,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status,
    transfer_data: null,
    transfer_group: null,
  };
}
