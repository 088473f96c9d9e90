// Tests of the seeded sample dataset: determinism, cross-source invariants, scale, and fidelity to vendor shapes.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateDataset, type Dataset } from './dataset.ts';
import { checkSchema, type OpenApiDocument } from './openapi-check.ts';

const here = dirname(fileURLToPath(import.meta.url));
const data = generateDataset();

describe('determinism', () => {
  it('same seed gives deep-equal output, another seed a different one', () => {
    expect(generateDataset({ seed: 42 })).toEqual(data);
    const other = generateDataset({ seed: 7 });
    expect(other).not.toEqual(data);
    expect(other.stripe.customers.map((c) => c.id)).not.toEqual(data.stripe.customers.map((c) => c.id));
    expect(other.hubspot.contacts.map((c) => c.properties.email)).not.toEqual(
      data.hubspot.contacts.map((c) => c.properties.email),
    );
  });

  it('is plain JSON (no undefined, Dates, NaN)', () => {
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it('keeps records mutable while shared nested constants are frozen', () => {
    const sub = data.stripe.subscriptions[0];
    expect(Object.isFrozen(data.stripe.customers[0])).toBe(false);
    expect(Object.isFrozen(sub)).toBe(false);
    expect(Object.isFrozen(sub?.metadata)).toBe(false);
    expect(Object.isFrozen(sub?.items.data[0]?.price)).toBe(true);
    expect(Object.isFrozen(data.stripe.prices[0])).toBe(false);
  });
});

describe('cross-source invariants (default size)', () => {
  const { stripe, hubspot, linear, github } = data;
  const contactEmails = new Set(hubspot.contacts.map((c) => c.properties.email));
  const customerIds = new Set(stripe.customers.map((c) => c.id));

  it('has 180 Stripe customers and 180 HubSpot contacts sharing 160 emails', () => {
    expect(stripe.customers).toHaveLength(180);
    expect(hubspot.contacts).toHaveLength(180);
    const stripeOnly = stripe.customers.filter((c) => !contactEmails.has(c.email ?? ''));
    expect(stripeOnly).toHaveLength(20);
    expect(180 - stripeOnly.length).toBeGreaterThanOrEqual(10);
    expect(180 - stripeOnly.length).toBe(160);
  });

  it('keeps emails unique and lowercase first.last@domain', () => {
    const emails = stripe.customers.map((c) => c.email ?? '');
    expect(new Set(emails).size).toBe(emails.length);
    expect(contactEmails.size).toBe(hubspot.contacts.length);
    for (const e of [...emails, ...contactEmails]) expect(e).toMatch(/^[a-z]+\.[a-z]+\d*@[a-z]+\.com$/);
  });

  it('references only existing Stripe customers, subscriptions and prices', () => {
    const subIds = new Set(stripe.subscriptions.map((s) => s.id));
    const priceIds = new Set(stripe.prices.map((p) => p.id));
    expect(stripe.customers.some((c) => c.delinquent)).toBe(true);
    expect(stripe.charges.length).toBeGreaterThan(10);
    for (const s of stripe.subscriptions) {
      expect(customerIds.has(s.customer)).toBe(true);
      expect(priceIds.has(s.items.data[0]?.price.id ?? '')).toBe(true);
    }
    for (const ch of stripe.charges) expect(customerIds.has(ch.customer ?? '')).toBe(true);
    for (const inv of stripe.invoices) {
      expect(customerIds.has(inv.customer)).toBe(true);
      expect(subIds.has(inv.subscription ?? '')).toBe(true);
      expect(inv.amount_due).toBe(inv.amount_paid + inv.amount_remaining);
    }
    const statuses = new Set(stripe.subscriptions.map((s) => s.status));
    expect([...statuses].sort()).toEqual(['active', 'canceled', 'past_due', 'trialing']);
  });

  it('uses Stripe id formats, integer cents and creation order', () => {
    for (const c of stripe.customers) expect(c.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    for (const s of stripe.subscriptions) expect(s.id).toMatch(/^sub_1[A-Za-z0-9]{23}$/);
    for (const ch of stripe.charges) expect(ch.id).toMatch(/^ch_1[A-Za-z0-9]{23}$/);
    for (const inv of stripe.invoices) expect(inv.id).toMatch(/^in_1[A-Za-z0-9]{23}$/);
    for (const ch of stripe.charges) expect(Number.isInteger(ch.amount) && ch.amount > 0).toBe(true);
    for (const list of [stripe.customers, stripe.subscriptions, stripe.charges, stripe.invoices]) {
      const created = list.map((o) => o.created);
      expect(created).toEqual([...created].sort((a, b) => a - b));
    }
  });

  it('links HubSpot deals to existing contacts and companies, with string-only properties', () => {
    const contactIds = new Set(hubspot.contacts.map((c) => c.id));
    const companyIds = new Set(hubspot.companies.map((c) => c.id));
    const ownerIds = new Set(hubspot.owners.map((o) => o.id));
    expect(hubspot.companies).toHaveLength(20);
    expect(hubspot.deals.length).toBeGreaterThan(120);
    expect(hubspot.deals.filter((d) => d.properties.dealstage === 'closedwon').length).toBeGreaterThan(5);
    for (const d of hubspot.deals) {
      const [contact] = d.associations.contacts.results;
      expect(contact?.type).toBe('deal_to_contact');
      expect(contactIds.has(contact?.id ?? '')).toBe(true);
      expect(companyIds.has(d.associations.companies.results[0]?.id ?? '')).toBe(true);
      expect(ownerIds.has(d.properties.hubspot_owner_id)).toBe(true);
      expect(d.properties.amount).toMatch(/^\d+\.\d{2}$/);
    }
    for (const o of [...hubspot.contacts, ...hubspot.companies, ...hubspot.deals]) {
      expect(o.id).toBe(o.properties.hs_object_id);
      for (const v of Object.values(o.properties)) expect(v === null || typeof v === 'string').toBe(true);
      expect(o.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    for (const c of hubspot.contacts) expect(companyIds.has(c.properties.associatedcompanyid)).toBe(true);
    expect(hubspot.contacts[0]?.id).toBe('5001');
  });

  it('shares staff between HubSpot owners and Linear users, and keeps Linear consistent', () => {
    const ownerEmails = new Set(hubspot.owners.map((o) => o.email));
    expect(linear.users.filter((u) => ownerEmails.has(u.email)).length).toBeGreaterThanOrEqual(2);
    expect(linear.teams).toHaveLength(3);
    expect(linear.issues.length).toBeGreaterThanOrEqual(120);
    const teamKeys = new Map(linear.teams.map((t) => [t.id, t.key]));
    for (const i of linear.issues) {
      expect(i.identifier).toBe(`${teamKeys.get(i.team.id)}-${i.number}`);
      expect(i.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(i.completedAt !== null).toBe(i.state.type === 'completed');
      expect(i.url).toContain(`/issue/${i.identifier}/`);
    }
  });

  it('lists every GitHub pull request in the issues list too', () => {
    const prIssues = new Map(github.issues.filter((i) => i.pull_request).map((i) => [i.url, i]));
    expect(github.repos.length).toBeGreaterThanOrEqual(5);
    expect(github.issues.length).toBeGreaterThan(250);
    expect(github.pulls.length).toBeGreaterThan(180);
    expect(prIssues.size).toBe(github.pulls.length);
    for (const p of github.pulls) {
      const twin = prIssues.get(p.issue_url);
      expect(twin?.number).toBe(p.number);
      expect(twin?.pull_request?.merged_at ?? null).toBe(p.merged_at);
      expect(p.base.repo.full_name).toMatch(/^dinobase-demo\//);
    }
  });
});

describe('scaling', () => {
  it('makes exactly N Stripe customers and keeps the other sources bounded', () => {
    for (const n of [9, 1000]) {
      const d = generateDataset({ stripeCustomers: n });
      expect(d.stripe.customers).toHaveLength(n);
      expect(d.stripe.customers.some((c) => c.delinquent)).toBe(true);
    }
  });

  it('generates 100_000 customers with their subscriptions, charges and invoices', () => {
    const started = performance.now();
    const big = generateDataset({ stripeCustomers: 100_000 });
    const ms = performance.now() - started;
    const s = big.stripe;
    console.log(
      `100k customers in ${ms.toFixed(0)} ms: ${s.subscriptions.length} subscriptions, ` +
        `${s.charges.length} charges, ${s.invoices.length} invoices, ${big.hubspot.contacts.length} contacts`,
    );
    expect(s.customers).toHaveLength(100_000);
    expect(big.hubspot.contacts.length).toBeLessThanOrEqual(2000);
  }, 60_000);
});

describe('fidelity to vendor shapes', () => {
  it('has every top-level key of the Stripe fixture objects', () => {
    const fixturePath = resolve(here, '../../test/fixtures/stripe-objects.json');
    const fixtures = JSON.parse(readFileSync(fixturePath, 'utf8')) as { resources: Record<string, object> };
    const pairs: [string, object[]][] = [
      ['customer', data.stripe.customers],
      ['subscription', data.stripe.subscriptions],
      ['subscription_item', data.stripe.subscriptions.flatMap((s) => s.items.data)],
      ['charge', data.stripe.charges],
      ['invoice', data.stripe.invoices],
      ['line_item', data.stripe.invoices.flatMap((i) => i.lines.data)],
      ['product', data.stripe.products],
      ['price', data.stripe.prices],
    ];
    for (const [name, objects] of pairs) {
      const keys = Object.keys(fixtures.resources[name] ?? {});
      expect(keys.length, name).toBeGreaterThan(5);
      expect(objects.length, name).toBeGreaterThan(0);
      for (const o of objects) expect(Object.keys(o), name).toEqual(expect.arrayContaining(keys));
    }
  });

  it('validates GitHub objects against the octokit OpenAPI schemas', () => {
    const specPath = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    const doc = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApiDocument;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const { user, repos, issues, pulls } = data.github;
    const errors = [
      ...checkSchema(doc, user, ref('simple-user'), 'user'),
      ...repos.flatMap((r) => checkSchema(doc, r, ref('repository'), r.full_name)),
      ...issues.flatMap((i) => checkSchema(doc, i, ref('issue'), i.url)),
      ...pulls.flatMap((p) => checkSchema(doc, p, ref('pull-request-simple'), p.url)),
    ];
    expect(errors.slice(0, 20)).toEqual([]);
    // The checker must actually reject things: drop a required key and break a type.
    const broken = { ...issues[0], number: 'one' } as Record<string, unknown>;
    delete broken.node_id;
    expect(checkSchema(doc, broken, ref('issue')).length).toBe(2);
    for (const i of issues) expect(i.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('puts every event timestamp before now; only schedule fields may lie ahead', () => {
    const problems = timestampProblems(data);
    expect(problems.slice(0, 10)).toEqual([]);
    for (const d of data.hubspot.deals) {
      if (d.properties.dealstage.startsWith('closed')) {
        expect(Date.parse(d.properties.closedate) / 1000).toBeLessThan(data.now);
      }
    }
  });
});

// Fields that describe a schedule rather than an event: a live account has them in the future.
const FUTURE_OK = new Set([
  'billing_cycle_anchor',
  'current_period_end',
  'trial_end',
  'cancel_at',
  'due_date',
  'next_payment_attempt',
  'period.end',
  'closedate',
  'targetDate',
  'dueDate',
]);
const NUMERIC_TIME =
  /^(created|updated|start|end)$|_at$|_date$|_start$|_end$|^billing_cycle_anchor$|^next_payment_attempt$/;
const ISO = /^\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(\.\d{3})?Z)?$/;

function timestampProblems(dataset: Dataset): string[] {
  const problems: string[] = [];
  const now = dataset.now;
  const walk = (value: unknown, path: string, key: string, parent: string): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`, key, parent));
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, k, key);
      return;
    }
    let seconds: number | null = null;
    if (typeof value === 'number' && NUMERIC_TIME.test(key)) {
      if (!Number.isInteger(value) || value < 1_000_000_000)
        problems.push(`${path}: ${value} is not unix seconds`);
      seconds = value;
    } else if (typeof value === 'string' && ISO.test(value)) {
      seconds = Date.parse(value) / 1000;
    }
    if (seconds === null) return;
    const futureOk = FUTURE_OK.has(key) || FUTURE_OK.has(`${parent}.${key}`);
    const limit = futureOk ? now + 400 * 86_400 : now;
    if (!(seconds < limit))
      problems.push(`${path}: ${value} is not before ${futureOk ? 'now + 400d' : 'now'}`);
  };
  walk(
    { stripe: dataset.stripe, hubspot: dataset.hubspot, linear: dataset.linear, github: dataset.github },
    '$',
    '',
    '',
  );
  return problems;
}
