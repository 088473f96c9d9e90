// Write-back safety: repeat and resume send each write once, stale previews and vendor errors fail per row, 429s wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MutationError } from '../worker/errors.ts';
import { MutationEngine, isMutationFailure } from '../worker/query/mutations.ts';
import type { MutationPlan } from '../worker/mutations/types.ts';
import { startHarness, type Harness } from './harness.ts';
import { insertPlan, localRow, updatePlan, writeBackFor, writesIn, type Wire } from './writeback-kit.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  for (const [vendor, resources] of [
    ['stripe', ['customers']],
    ['hubspot', ['contacts']],
    ['github', ['repos', 'issues']],
  ] as const) {
    expect((await h.sync(vendor, { resources: [...resources] })).status).toBe('success');
  }
});
afterAll(() => h.close());

const customers = { source: 'stripe', table: 'customers' } as const;
const contacts = { source: 'hubspot', table: 'contacts' } as const;
const customer = (i: number) => h.sandboxes.stripe.store.list('customers')[i]!;
const contact = (i: number) => h.sandboxes.hubspot.store.list('contacts')[i]!;

/** Puts a row back into `sending`, as a tab that died with the request on the wire leaves it. */
async function interrupt(plan: MutationPlan, index: number): Promise<void> {
  await h.db.exclusive((conn) =>
    conn.queryParams(
      `UPDATE _dinobase.mutation_rows SET state = 'sending', http_status = NULL, note = NULL, response = NULL
       WHERE mutation_id = ? AND row_index = ?`,
      [plan.mutation_id, index],
    ),
  );
}

const outbox = (plan: MutationPlan) =>
  h.db.query(
    'SELECT row_index, state, attempts FROM _dinobase.mutation_rows WHERE mutation_id = ? ORDER BY row_index',
    [plan.mutation_id],
  );

describe('repeat and resume', () => {
  it('executing the same plan twice (even from a new WriteBack) sends each write once', async () => {
    const plan = await updatePlan(h.db, customers, [
      { key: { id: customer(30).id }, set: { name: 'Twice A' } },
      { key: { id: customer(31).id }, set: { name: 'Twice B' } },
    ]);
    h.sandboxes.stripe.clearRequests();
    const first = await writeBackFor(h).execute(plan);
    expect(first.map((r) => r.status)).toEqual(['ok', 'ok']);
    const seen: number[] = [];
    const second = await writeBackFor(h).execute(plan, { onRow: (r) => seen.push(r.index) });
    expect(second).toEqual(first);
    expect(seen).toEqual([0, 1]);
    expect(writesIn(h.sandboxes.stripe.requests).map((r) => r.path)).toEqual([
      `/v1/customers/${customer(30).id}`,
      `/v1/customers/${customer(31).id}`,
    ]);
    expect(await outbox(plan)).toEqual([
      { row_index: 0, state: 'ok', attempts: 1 },
      { row_index: 1, state: 'ok', attempts: 1 },
    ]);
  });

  it('an update interrupted after it landed is recognised as already applied, not resent (HubSpot, no idempotency key)', async () => {
    const target = contact(20);
    const plan = await updatePlan(h.db, contacts, [
      { key: { id: target.id }, set: { jobtitle: 'Once Only' } },
    ]);
    h.sandboxes.hubspot.clearRequests();
    await writeBackFor(h).execute(plan);
    await interrupt(plan, 0);
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({ status: 'ok', note: 'already applied', local: 'updated' });
    expect(writesIn(h.sandboxes.hubspot.requests).map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH /crm/v3/objects/contacts/${target.id}`,
    ]);
    // Attempts count requests sent: the resume only read.
    expect(await outbox(plan)).toEqual([{ row_index: 0, state: 'ok', attempts: 1 }]);
  });

  it('a Stripe create interrupted mid-run is resent with the same Idempotency-Key and created once', async () => {
    const plan = insertPlan(customers, [
      { name: 'Resume One', email: 'one@resume.example' },
      { name: 'Resume Two', email: 'two@resume.example' },
      { name: 'Resume Three', email: 'three@resume.example' },
    ]);
    const stripeCount = h.sandboxes.stripe.store.list('customers').length;
    const localCount = await h.db.getRowCount('stripe', 'customers');
    const controller = new AbortController();
    const wire: Wire[] = [];
    // The first create reaches Stripe, then the page goes away before its answer is read.
    const dying: typeof fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      if (init?.method === 'POST') controller.abort(new Error('tab closed'));
      return response;
    };
    h.sandboxes.stripe.clearRequests();
    const error = await writeBackFor(h, { fetch: dying, wire })
      .execute(plan, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MutationError);
    expect(error).toMatchObject({ code: 'interrupted' });
    expect((error as Error).message).toMatch(/interrupted after 0 of 3 rows\. Execute it again to resume/);
    expect(await outbox(plan)).toEqual([
      { row_index: 0, state: 'sending', attempts: 1 },
      { row_index: 1, state: 'pending', attempts: 0 },
      { row_index: 2, state: 'pending', attempts: 0 },
    ]);
    expect(h.sandboxes.stripe.store.list('customers')).toHaveLength(stripeCount + 1);

    const results = await writeBackFor(h, { wire }).execute(plan);
    expect(results.map((r) => [r.status, r.local])).toEqual([
      ['ok', 'inserted'],
      ['ok', 'inserted'],
      ['ok', 'inserted'],
    ]);
    // Four POSTs on the wire, but the second for row 0 carried the same key and was replayed by Stripe.
    const keys = wire.map((w) => w.headers.get('idempotency-key'));
    expect(keys).toEqual([0, 0, 1, 2].map((i) => `${plan.mutation_id}:${i}`));
    expect(h.sandboxes.stripe.store.list('customers')).toHaveLength(stripeCount + 3);
    expect(new Set(results.map((r) => r.created_id)).size).toBe(3);
    expect(await h.db.getRowCount('stripe', 'customers')).toBe(localCount + 3);
    const created = h.sandboxes.stripe.store
      .list('customers')
      .filter((c) => c.email === 'one@resume.example');
    expect(created.map((c) => c.id)).toEqual([results[0]!.created_id]);
  });

  it('a create without an idempotency key left in flight is not resent: outcome unknown (GitHub)', async () => {
    const repo = h.sandboxes.github.store.repos()[0]!.full_name;
    const plan = insertPlan(
      { source: 'github', table: 'issues' },
      [{ _repos_full_name: repo, title: 'Maybe created' }],
      ['_repos_full_name'],
    );
    await writeBackFor(h).execute({ ...plan, rows: [] });
    // The outbox knows the row, and the tab died while its POST was on the wire.
    await h.db.exclusive((conn) =>
      conn.queryParams(
        `INSERT INTO _dinobase.mutation_rows (mutation_id, row_index, state, attempts) VALUES (?, 0, 'sending', 1)`,
        [plan.mutation_id],
      ),
    );
    h.sandboxes.github.clearRequests();
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({ status: 'failed' });
    expect(result!.error).toBe(
      'outcome unknown: the page closed while this create was in flight; not retried so it cannot be created twice — check github and re-sync.',
    );
    expect(h.sandboxes.github.requests).toEqual([]);
  });

  it('a missing credential ends the execute before any row is sent; the rows stay pending', async () => {
    const plan = await updatePlan(h.db, customers, [
      { key: { id: customer(45).id }, set: { name: 'No Key' } },
      { key: { id: customer(46).id }, set: { name: 'No Key' } },
    ]);
    h.sandboxes.stripe.clearRequests();
    const error = await writeBackFor(h, { credentials: () => ({}) })
      .execute(plan)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MutationError);
    expect(error).toMatchObject({
      code: 'invalid_argument',
      message:
        'Cannot write to stripe: Source "stripe" needs the credential "api_key" (auth type bearer). No row was sent; execute again once this is fixed.',
    });
    expect(h.sandboxes.stripe.requests).toEqual([]);
    expect((await outbox(plan)).map((r) => r.state)).toEqual(['pending', 'pending']);
    expect((await writeBackFor(h).execute(plan)).map((r) => r.status)).toEqual(['ok', 'ok']);
  });

  it('refuses a second execute of the same plan while the first runs', async () => {
    const plan = await updatePlan(h.db, customers, [
      { key: { id: customer(40).id }, set: { name: 'Locked' } },
    ]);
    const writer = writeBackFor(h);
    const first = writer.execute(plan);
    await expect(writer.execute(plan)).rejects.toMatchObject({ code: 'locked' });
    expect((await first)[0]!.status).toBe('ok');
  });
});

describe('stale previews and vendor failures', () => {
  it('a record edited since preview is reported stale (no write, no HTTP status) and not written; the other row is', async () => {
    const edited = customer(50);
    const untouched = customer(51);
    const plan = await updatePlan(h.db, customers, [
      { key: { id: edited.id }, set: { name: 'Mine' } },
      { key: { id: untouched.id }, set: { name: 'Mine Too' } },
    ]);
    const previewName = plan.rows[0]!.before!.name;
    h.sandboxes.stripe.update('customers', edited.id, { name: 'Theirs' });
    const localBefore = await localRow(h.db, 'stripe', 'customers', { id: edited.id });
    h.sandboxes.stripe.clearRequests();
    const results = await writeBackFor(h).execute(plan);
    expect(results[0]).toEqual({
      index: 0,
      id: edited.id,
      status: 'stale',
      note: `changed since preview: name was '${String(previewName)}' at preview, now 'Theirs' at stripe`,
      error: `changed since preview: name was '${String(previewName)}' at preview, now 'Theirs' at stripe; nothing was written. Preview again to see the current values.`,
    });
    expect(results[1]).toMatchObject({ status: 'ok', local: 'updated' });
    expect(writesIn(h.sandboxes.stripe.requests).map((r) => r.path)).toEqual([
      `/v1/customers/${untouched.id}`,
    ]);
    expect(h.sandboxes.stripe.store.get('customers', edited.id)!.name).toBe('Theirs');
    expect(await localRow(h.db, 'stripe', 'customers', { id: edited.id })).toEqual(localBefore);
  });

  it('a confirmed mutation counts only the writes it sent, and reports the stale row as stale', async () => {
    await h.db.addSource({ name: 'stripe', type: 'stripe', base_url: h.base('stripe') });
    const [edited, untouched] = [customer(52), customer(53)];
    const mutations = new MutationEngine(h.db, { clock: h.clock, writer: writeBackFor(h) });
    const preview = await mutations.handleSql(
      `UPDATE stripe.customers SET description = 'Counted' WHERE id IN ('${edited.id}', '${untouched.id}')`,
    );
    if (!('mutation_id' in preview)) throw new Error(`expected a preview: ${JSON.stringify(preview)}`);
    h.sandboxes.stripe.update('customers', edited.id, { description: 'Edited elsewhere' });
    h.sandboxes.stripe.clearRequests();
    const result = await mutations.confirm(preview.mutation_id);
    if (isMutationFailure(result)) throw new Error(result.error);
    // Two re-reads went out, but only one write.
    expect(h.sandboxes.stripe.requests.map((r) => r.method).sort()).toEqual(['GET', 'GET', 'POST']);
    expect(result.status).toBe('executed');
    expect(result.api_write_back).toMatchObject({
      total_rows: 2,
      api_calls: 1,
      succeeded: 1,
      failed: 0,
      stale: 1,
    });
    const stale = result.api_write_back.details.find((d) => d.id === edited.id)!;
    expect(stale).toMatchObject({
      status: 'stale',
      note: expect.stringMatching(/^changed since preview: description/),
    });
    expect(stale).not.toHaveProperty('http_status');
    const record = await mutations.get(preview.mutation_id);
    expect(record?.error_message).toMatch(new RegExp(`^${edited.id}: changed since preview`));
  });

  it('one row of three refused by HubSpot: per-row results, local copy changes only for the two', async () => {
    const targets = [contact(60), contact(61), contact(62)];
    const plan = await updatePlan(
      h.db,
      contacts,
      targets.map((t, i) => ({ key: { id: t.id }, set: { jobtitle: `Batch ${i}` } })),
    );
    const failing = targets[1]!.id;
    h.sandboxes.hubspot.failNext({
      match: new RegExp(`^/crm/v3/objects/contacts/${failing}$`),
      // The stale-check GET goes through; the PATCH gets HubSpot's validation error.
      afterMatches: 1,
      status: 400,
      body: JSON.stringify({
        status: 'error',
        message: 'Property values were not valid: jobtitle is read-only for this portal',
        correlationId: 'c0ffee00-0000-4000-8000-000000000000',
        category: 'VALIDATION_ERROR',
      }),
    });
    const local = (id: string) => localRow(h.db, 'hubspot', 'contacts', { id });
    const failingBefore = await local(failing);
    const results = await writeBackFor(h).execute(plan);
    expect(results.map((r) => r.status)).toEqual(['ok', 'failed', 'ok']);
    expect(results[1]).toMatchObject({
      http_status: 400,
      error: 'HTTP 400 from hubspot: Property values were not valid: jobtitle is read-only for this portal',
    });
    expect(results[1]!.local).toBeUndefined();
    expect((await local(targets[0]!.id))!.jobtitle).toBe('Batch 0');
    expect(await local(failing)).toEqual(failingBefore);
    expect((await local(targets[2]!.id))!.jobtitle).toBe('Batch 2');
    expect(await outbox(plan)).toEqual([
      { row_index: 0, state: 'ok', attempts: 1 },
      { row_index: 1, state: 'failed', attempts: 1 },
      { row_index: 2, state: 'ok', attempts: 1 },
    ]);
  });

  it('a network failure is retried for an update, and ends a create without a key as outcome unknown', async () => {
    let failures = 1;
    const flaky: typeof fetch = (input, init) => {
      if (init?.method !== 'GET' && failures-- > 0) return Promise.reject(new TypeError('fetch failed'));
      return globalThis.fetch(input, init);
    };
    const target = contact(90);
    const update = await updatePlan(h.db, contacts, [{ key: { id: target.id }, set: { jobtitle: 'Flaky' } }]);
    expect((await writeBackFor(h, { fetch: flaky }).execute(update))[0]).toMatchObject({ status: 'ok' });
    expect(h.sandboxes.hubspot.store.get('contacts', target.id)!.properties.jobtitle).toBe('Flaky');

    const repo = h.sandboxes.github.store.repos()[0]!.full_name;
    const create = insertPlan(
      { source: 'github', table: 'issues' },
      [{ _repos_full_name: repo, title: 'Lost on the wire' }],
      ['_repos_full_name'],
    );
    failures = 1;
    const wire: Wire[] = [];
    const [result] = await writeBackFor(h, { fetch: flaky, wire }).execute(create);
    expect(wire).toHaveLength(1);
    expect(result).toMatchObject({ status: 'failed' });
    expect(result!.error).toMatch(
      /^outcome unknown: the request failed \(github\.issues: network error on POST .*\/repos\/.*\/issues after 1 attempt: fetch failed\) while this create was in flight; not retried/,
    );
  });

  it('waits out 429s using Retry-After on the injected clock, then writes', async () => {
    const target = customer(70);
    const plan = await updatePlan(h.db, customers, [
      { key: { id: target.id }, set: { name: 'After The Wait' } },
    ]);
    h.sandboxes.stripe.rateLimitBurst(2, 3);
    h.sandboxes.stripe.clearRequests();
    const started = h.clock.now();
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({ status: 'ok', local: 'updated' });
    expect(h.sandboxes.stripe.requests.map((r) => r.status)).toEqual([429, 429, 200, 200]);
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(6_000);
    expect(h.sandboxes.stripe.store.get('customers', target.id)!.name).toBe('After The Wait');
  });

  it('retries a 5xx for an update, but never for a create without an idempotency key', async () => {
    const target = contact(80);
    const update = await updatePlan(h.db, contacts, [
      { key: { id: target.id }, set: { jobtitle: 'Retried' } },
    ]);
    const serverError = JSON.stringify({
      status: 'error',
      message: 'internal error',
      category: 'INTERNAL_ERROR',
    });
    h.sandboxes.hubspot.failNext({
      match: new RegExp(`^/crm/v3/objects/contacts/${target.id}$`),
      afterMatches: 1,
      status: 502,
      body: serverError,
    });
    h.sandboxes.hubspot.clearRequests();
    expect((await writeBackFor(h).execute(update))[0]).toMatchObject({ status: 'ok' });
    expect(writesIn(h.sandboxes.hubspot.requests).map((r) => r.status)).toEqual([502, 200]);

    const repo = h.sandboxes.github.store.repos()[0]!.full_name;
    const create = insertPlan(
      { source: 'github', table: 'issues' },
      [{ _repos_full_name: repo, title: 'Server fell over' }],
      ['_repos_full_name'],
    );
    h.sandboxes.github.failNext({
      match: /\/issues$/,
      status: 502,
      body: JSON.stringify({ message: 'Server Error' }),
    });
    h.sandboxes.github.clearRequests();
    const [result] = await writeBackFor(h).execute(create);
    expect(result).toMatchObject({ status: 'failed', http_status: 502 });
    expect(result!.error).toBe(
      'outcome unknown: github answered HTTP 502 (Server Error) while this create was in flight; not retried so it cannot be created twice — check github and re-sync.',
    );
    expect(writesIn(h.sandboxes.github.requests)).toHaveLength(1);
  });
});
