// Entry point of the sample data: one seeded, cross-linked RevOps dataset spanning Stripe, HubSpot, Linear and GitHub.

import { generateGithub, type GithubData } from './github.ts';
import { generateHubSpot, type HubSpotData } from './hubspot.ts';
import { generateLinear, type LinearData } from './linear.ts';
import { buildPeople } from './people.ts';
import { Rng } from './prng.ts';
import { generateStripe, type StripeData } from './stripe.ts';

export type { GithubData } from './github.ts';
export type {
  GithubAuthorAssociation,
  GithubBranchRef,
  GithubIssue,
  GithubLabel,
  GithubLicense,
  GithubPull,
  GithubReactions,
  GithubRepo,
  GithubSimpleUser,
} from './github-types.ts';
export type {
  HubSpotAssociation,
  HubSpotCompany,
  HubSpotCompanyProperties,
  HubSpotContact,
  HubSpotContactProperties,
  HubSpotData,
  HubSpotDeal,
  HubSpotDealProperties,
  HubSpotObject,
  HubSpotOwner,
  HubSpotProperties,
} from './hubspot.ts';
export type {
  LinearData,
  LinearIssue,
  LinearProject,
  LinearStateType,
  LinearTeam,
  LinearUser,
} from './linear.ts';
export type { StripeData } from './stripe.ts';
export type { StripeCardDetails, StripeCharge } from './stripe-charges.ts';
export type { StripeInvoice, StripeInvoiceLine, StripeInvoiceStatus } from './stripe-invoices.ts';
export type {
  JsonObject,
  JsonValue,
  Metadata,
  StripeAddress,
  StripeCustomer,
  StripeList,
  StripePlan,
  StripePrice,
  StripeProduct,
  StripeRecurring,
  StripeSubscription,
  StripeSubscriptionItem,
  StripeSubscriptionStatus,
} from './stripe-types.ts';

export interface DatasetOptions {
  /** PRNG seed; default 42. */
  seed?: number;
  /** Number of Stripe customers; default 180. HubSpot, Linear and GitHub stay bounded whatever the value. */
  stripeCustomers?: number;
  /** Unix seconds treated as "now"; default 1_767_225_600 (2026-01-01T00:00:00Z). */
  now?: number;
}

/**
 * Records are plain JSON. Top-level records are ordinary mutable objects, but constant nested values (a charge's
 * card `checks`, an invoice's `automatic_tax`, the price snapshot inside subscription items, empty tax/discount
 * lists...) are shared between records and frozen to keep 100k-customer datasets small: replace nested values
 * instead of editing them in place.
 */
export interface Dataset {
  now: number;
  /** Every array is sorted by creation time, oldest first. */
  stripe: StripeData;
  hubspot: HubSpotData;
  linear: LinearData;
  /** Issues know their repo by `repository_url`, pulls by `base.repo.full_name`. */
  github: GithubData;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_STRIPE_CUSTOMERS = 180;
export const DEFAULT_NOW = 1_767_225_600;

export function generateDataset(options: DatasetOptions = {}): Dataset {
  const seed = options.seed ?? DEFAULT_SEED;
  const customers = options.stripeCustomers ?? DEFAULT_STRIPE_CUSTOMERS;
  const now = options.now ?? DEFAULT_NOW;
  if (!Number.isInteger(customers) || customers < 0) {
    throw new RangeError(`stripeCustomers must be a non-negative integer, got ${customers}`);
  }
  if (!Number.isInteger(now) || now < 1_000_000_000) {
    throw new RangeError(`now must be unix seconds, got ${now}`);
  }
  const root = new Rng(seed);
  // Each vendor draws from its own stream, so resizing Stripe leaves Linear and GitHub untouched.
  const pool = buildPeople(root.fork('people'), customers, now);
  return {
    now,
    stripe: generateStripe(root.fork('stripe'), pool.stripe, now),
    hubspot: generateHubSpot(root.fork('hubspot'), pool.hubspot, now),
    linear: generateLinear(root.fork('linear'), now),
    github: generateGithub(root.fork('github'), now),
  };
}
