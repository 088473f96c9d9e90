// TypeScript shapes of the Stripe list-API objects the sample generator emits (fields as in Stripe's API reference).

import type { Rng } from './prng.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export type Metadata = Record<string, string>;

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  total_count: number;
  url: string;
}

export interface StripeAddress {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface StripeCustomer {
  id: string;
  object: 'customer';
  address: StripeAddress | null;
  balance: number;
  created: number;
  currency: string | null;
  default_source: string | null;
  delinquent: boolean;
  description: string | null;
  discount: JsonObject | null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: {
    custom_fields: JsonValue[] | null;
    default_payment_method: string | null;
    footer: string | null;
    rendering_options: JsonObject | null;
  };
  livemode: boolean;
  metadata: Metadata;
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: JsonObject | null;
  tax_exempt: 'none' | 'exempt' | 'reverse';
  test_clock: string | null;
}

export interface StripeProduct {
  id: string;
  object: 'product';
  active: boolean;
  created: number;
  default_price: string | null;
  description: string | null;
  images: string[];
  livemode: boolean;
  marketing_features: { name: string }[];
  metadata: Metadata;
  name: string;
  package_dimensions: JsonObject | null;
  shippable: boolean | null;
  statement_descriptor: string | null;
  tax_code: string | null;
  type: 'service' | 'good';
  unit_label: string | null;
  updated: number;
  url: string | null;
}

export interface StripeRecurring {
  interval: 'day' | 'week' | 'month' | 'year';
  interval_count: number;
  meter: string | null;
  trial_period_days: number | null;
  usage_type: 'licensed' | 'metered';
}

export interface StripePrice {
  id: string;
  object: 'price';
  active: boolean;
  billing_scheme: 'per_unit' | 'tiered';
  created: number;
  currency: string;
  custom_unit_amount: JsonObject | null;
  livemode: boolean;
  lookup_key: string | null;
  metadata: Metadata;
  nickname: string | null;
  product: string;
  recurring: StripeRecurring | null;
  tax_behavior: 'exclusive' | 'inclusive' | 'unspecified';
  tiers_mode: 'graduated' | 'volume' | null;
  transform_quantity: JsonObject | null;
  type: 'one_time' | 'recurring';
  unit_amount: number | null;
  unit_amount_decimal: string | null;
}

/** The legacy `plan` view of a recurring price, still embedded in subscription items. */
export interface StripePlan {
  id: string;
  object: 'plan';
  active: boolean;
  amount: number | null;
  amount_decimal: string | null;
  billing_scheme: 'per_unit' | 'tiered';
  created: number;
  currency: string;
  interval: StripeRecurring['interval'];
  interval_count: number;
  livemode: boolean;
  metadata: Metadata;
  meter: string | null;
  nickname: string | null;
  product: string;
  tiers_mode: string | null;
  transform_usage: JsonObject | null;
  trial_period_days: number | null;
  usage_type: 'licensed' | 'metered';
}

export interface StripeSubscriptionItem {
  id: string;
  object: 'subscription_item';
  billing_thresholds: JsonObject | null;
  created: number;
  current_period_end: number;
  current_period_start: number;
  discounts: string[];
  metadata: Metadata;
  plan: StripePlan;
  price: StripePrice;
  quantity: number;
  subscription: string;
  tax_rates: JsonObject[];
}

export type StripeSubscriptionStatus = 'active' | 'canceled' | 'past_due' | 'trialing';

export interface StripeSubscription {
  id: string;
  object: 'subscription';
  application: string | null;
  application_fee_percent: number | null;
  automatic_tax: JsonObject;
  billing_cycle_anchor: number;
  billing_cycle_anchor_config: JsonObject | null;
  billing_mode: JsonObject;
  billing_schedules: JsonObject[];
  billing_thresholds: JsonObject | null;
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null };
  collection_method: 'charge_automatically' | 'send_invoice';
  created: number;
  currency: string;
  current_period_end: number;
  current_period_start: number;
  customer: string;
  customer_account: string | null;
  days_until_due: number | null;
  default_payment_method: string | null;
  default_source: string | null;
  default_tax_rates: JsonObject[];
  description: string | null;
  discounts: string[];
  ended_at: number | null;
  invoice_settings: JsonObject;
  items: StripeList<StripeSubscriptionItem>;
  latest_invoice: string | null;
  livemode: boolean;
  managed_payments: JsonObject | null;
  metadata: Metadata;
  next_pending_invoice_item_invoice: number | null;
  on_behalf_of: string | null;
  pause_collection: JsonObject | null;
  payment_settings: JsonObject;
  pending_invoice_item_interval: JsonObject | null;
  pending_setup_intent: string | null;
  pending_update: JsonObject | null;
  schedule: string | null;
  start_date: number;
  status: StripeSubscriptionStatus;
  test_clock: string | null;
  transfer_data: JsonObject | null;
  trial_end: number | null;
  trial_settings: JsonObject;
  trial_start: number | null;
}

/** The card each sample customer pays with; charges and subscriptions reference it. */
export interface CustomerCard {
  paymentMethod: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  funding: 'credit' | 'debit';
  fingerprint: string;
}

/** What the Stripe sub-generators share: the random stream, the clock and the account-scoped id scheme. */
export interface StripeContext {
  rng: Rng;
  now: number;
  /** Account id, e.g. acct_1B7WZ01zgkW. */
  account: string;
  /** Account-scoped id like Stripe's `ch_1Pgc6rB7WZ01zgkWNy0Cn5nw`. */
  longId(prefix: string): string;
}
