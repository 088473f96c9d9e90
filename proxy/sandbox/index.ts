// Builds the four stateful vendor fakes (Stripe, HubSpot, GitHub, Linear) as one Hono app mounted at /sandbox.
import { Hono } from 'hono';
import { generateDataset, type Dataset } from '../../worker/sample/dataset.ts';
import { Control, IdSource, type RateLimit } from './control.ts';
import { createGithubSandbox, type GithubControl } from './github.ts';
import { createHubSpotSandbox, type HubSpotControl } from './hubspot.ts';
import { createLinearSandbox, type LinearControl } from './linear.ts';
import { createStripeSandbox, type StripeControl } from './stripe.ts';

export type { Fault, RateLimit, RequestRecord, SandboxControl } from './control.ts';
export type { GithubControl, IssuePatch } from './github.ts';
export type { HubSpotControl, HubSpotRecord, HubSpotType } from './hubspot.ts';
export type { IssueInput, LinearControl } from './linear.ts';
export type { StripeControl, StripeRecord, StripeResource } from './stripe.ts';

export interface SandboxOptions {
  /** Passed to generateDataset (and seeds the ids the sandboxes mint). */
  seed?: number;
  stripeCustomers?: number;
  /** Use this dataset instead of generating one; it is never modified. */
  dataset?: Dataset;
  /** Clock in unix milliseconds; every timestamp written by edits and creates comes from it. Default Date.now. */
  now?: () => number;
  /** Per vendor, per credential; default 1000 requests per second. */
  rateLimit?: RateLimit;
}

export interface SandboxCredentials {
  stripe: { api_key: string };
  hubspot: { access_token: string };
  github: { access_token: string };
  linear: { api_key: string };
}

export interface Sandboxes {
  /** Routes /stripe/*, /hubspot/*, /github/*, /linear/*; mount with `app.route('/sandbox', sandboxes.app)`. */
  app: Hono;
  stripe: StripeControl;
  hubspot: HubSpotControl;
  github: GithubControl;
  linear: LinearControl;
  /** The demo keys each sandbox accepts. */
  credentials: SandboxCredentials;
}

export const SANDBOX_CREDENTIALS: SandboxCredentials = {
  stripe: { api_key: 'sk_test_dinobase_sandbox' },
  hubspot: { access_token: 'pat-na1-dinobase-sandbox' },
  github: { access_token: 'ghp_dinobaseSandbox' },
  linear: { api_key: 'lin_api_dinobase_sandbox' },
};

export function createSandboxes(options: SandboxOptions = {}): Sandboxes {
  const dataset =
    options.dataset ?? generateDataset({ seed: options.seed, stripeCustomers: options.stripeCustomers });
  const now = options.now ?? Date.now;
  const rateLimit = options.rateLimit ?? { requests: 1000, perSeconds: 1 };
  const seed = options.seed ?? 42;
  const credentials: SandboxCredentials = structuredClone(SANDBOX_CREDENTIALS);
  // Each vendor gets its own id stream and its own limiter, as separate services would.
  const make = (salt: number) => ({
    control: new Control(now, rateLimit),
    ids: new IdSource(seed * 7919 + salt),
  });

  const stripe = createStripeSandbox({
    data: dataset.stripe,
    apiKey: credentials.stripe.api_key,
    ...make(1),
  });
  const hubspot = createHubSpotSandbox({
    data: dataset.hubspot,
    token: credentials.hubspot.access_token,
    ...make(2),
  });
  const github = createGithubSandbox({
    data: dataset.github,
    token: credentials.github.access_token,
    ...make(3),
  });
  const linear = createLinearSandbox({
    data: dataset.linear,
    apiKey: credentials.linear.api_key,
    ...make(4),
  });

  const app = new Hono();
  app.route('/stripe', stripe.app);
  app.route('/hubspot', hubspot.app);
  app.route('/github', github.app);
  app.route('/linear', linear.app);
  return {
    app,
    stripe: stripe.control,
    hubspot: hubspot.control,
    github: github.control,
    linear: linear.control,
    credentials,
  };
}
