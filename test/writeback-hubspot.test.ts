// Write-back to the HubSpot sandbox: PATCH/POST/DELETE contacts with `properties`, partial reads, re-sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import {
  deletePlan,
  insertPlan,
  localRow,
  updatePlan,
  writeBackFor,
  writesIn,
  type Wire,
} from './writeback-kit.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  expect((await h.sync('hubspot', { resources: ['contacts'] })).status).toBe('success');
});
afterAll(() => h.close());

const contacts = { source: 'hubspot', table: 'contacts' } as const;
const resync = async () => {
  h.clock.advance(60_000);
  expect((await h.sync('hubspot', { resources: ['contacts'] })).status).toBe('success');
};

describe('HubSpot write-back', () => {
  it('updates a contact: reads only the SET properties, PATCHes `properties`, local and re-sync agree', async () => {
    h.clock.advance(60_000);
    const target = h.sandboxes.hubspot.store.list('contacts')[4]!;
    const plan = await updatePlan(h.db, contacts, [
      { key: { id: target.id }, set: { jobtitle: 'Chief Write-back Officer', lifecyclestage: 'customer' } },
    ]);
    const wire: Wire[] = [];
    h.sandboxes.hubspot.clearRequests();
    const [result] = await writeBackFor(h, { wire }).execute(plan);
    expect(result).toEqual({ index: 0, id: target.id, status: 'ok', http_status: 200, local: 'updated' });
    const requests = h.sandboxes.hubspot.requests;
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /crm/v3/objects/contacts/${target.id}`,
      `PATCH /crm/v3/objects/contacts/${target.id}`,
    ]);
    expect(requests[0]!.query).toEqual({ properties: 'jobtitle,lifecyclestage' });
    expect(JSON.parse(wire[1]!.body!)).toEqual({
      properties: { jobtitle: 'Chief Write-back Officer', lifecyclestage: 'customer' },
    });
    const stored = h.sandboxes.hubspot.store.get('contacts', target.id)!;
    expect(stored.properties).toMatchObject({
      jobtitle: 'Chief Write-back Officer',
      lifecyclestage: 'customer',
    });
    const local = await localRow(h.db, 'hubspot', 'contacts', { id: target.id });
    expect(local).toMatchObject({ jobtitle: 'Chief Write-back Officer', lifecyclestage: 'customer' });
    // lastmodifieddate moved with the write and came back in the PATCH answer.
    expect(Date.parse(`${String(local!.lastmodifieddate)}Z`)).toBe(h.clock.now());
    await resync();
    expect(await localRow(h.db, 'hubspot', 'contacts', { id: target.id })).toEqual(local);
  });

  it('creates a contact (201) with the id HubSpot assigns', async () => {
    const before = await h.db.getRowCount('hubspot', 'contacts');
    const plan = insertPlan(contacts, [
      { email: 'ada@writeback.example', firstname: 'Ada', lastname: 'Lovelace', jobtitle: null },
    ]);
    const wire: Wire[] = [];
    const [result] = await writeBackFor(h, { wire }).execute(plan);
    expect(result).toMatchObject({ status: 'ok', http_status: 201, local: 'inserted' });
    // A NULL in VALUES is simply not sent on a create.
    expect(JSON.parse(wire[0]!.body!)).toEqual({
      properties: { email: 'ada@writeback.example', firstname: 'Ada', lastname: 'Lovelace' },
    });
    const created = h.sandboxes.hubspot.store.get('contacts', result!.created_id!)!;
    expect(created.properties).toMatchObject({ email: 'ada@writeback.example', firstname: 'Ada' });
    expect(await localRow(h.db, 'hubspot', 'contacts', { id: result!.created_id! })).toMatchObject({
      email: 'ada@writeback.example',
      firstname: 'Ada',
      lastname: 'Lovelace',
      archived: false,
    });
    await resync();
    expect(await h.db.getRowCount('hubspot', 'contacts')).toBe(before + 1);
    expect(await localRow(h.db, 'hubspot', 'contacts', { id: result!.created_id! })).toMatchObject({
      email: 'ada@writeback.example',
      lastname: 'Lovelace',
    });
  });

  it('deletes (archives) a contact and removes it locally', async () => {
    const target = h.sandboxes.hubspot.store.list('contacts')[8]!;
    const plan = await deletePlan(h.db, contacts, [{ key: { id: target.id } }]);
    h.sandboxes.hubspot.clearRequests();
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toEqual({ index: 0, id: target.id, status: 'ok', http_status: 204, local: 'deleted' });
    expect(writesIn(h.sandboxes.hubspot.requests).map((r) => `${r.method} ${r.path}`)).toEqual([
      `DELETE /crm/v3/objects/contacts/${target.id}`,
    ]);
    expect(h.sandboxes.hubspot.store.get('contacts', target.id)!.archived).toBe(true);
    expect(await localRow(h.db, 'hubspot', 'contacts', { id: target.id })).toBeUndefined();
    await resync();
    expect(await localRow(h.db, 'hubspot', 'contacts', { id: target.id })).toBeUndefined();
  });

  it('after a delete, another delete is "already deleted" and an update fails "deleted at the source"', async () => {
    const target = h.sandboxes.hubspot.store.list('contacts')[12]!;
    const first = await deletePlan(h.db, contacts, [{ key: { id: target.id } }]);
    const second = await deletePlan(h.db, contacts, [{ key: { id: target.id } }]);
    const update = await updatePlan(h.db, contacts, [{ key: { id: target.id }, set: { jobtitle: 'Ghost' } }]);
    expect((await writeBackFor(h).execute(first))[0]).toMatchObject({ status: 'ok', local: 'deleted' });
    h.sandboxes.hubspot.clearRequests();
    expect((await writeBackFor(h).execute(second))[0]).toEqual({
      index: 0,
      id: target.id,
      status: 'ok',
      note: 'already deleted at the source',
      local: 'unchanged',
    });
    const [failed] = await writeBackFor(h).execute(update);
    // Both were decided by the re-read (a 404): no write went out, so neither row has a write status.
    expect(failed).not.toHaveProperty('http_status');
    expect(failed).toMatchObject({
      status: 'failed',
      note: 'deleted at the source',
      error: `hubspot.contacts id ${target.id} no longer exists at hubspot; nothing was written.`,
    });
    expect(writesIn(h.sandboxes.hubspot.requests)).toEqual([]);
  });

  it('refuses to delete a contact edited since preview (its updated_at moved)', async () => {
    const target = h.sandboxes.hubspot.store.list('contacts')[9]!;
    const plan = await deletePlan(h.db, contacts, [{ key: { id: target.id } }]);
    h.clock.advance(5_000);
    h.sandboxes.hubspot.update('contacts', target.id, { jobtitle: 'Edited elsewhere' });
    h.sandboxes.hubspot.clearRequests();
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({
      status: 'stale',
      note: expect.stringMatching(/^changed since preview: updated_at/),
    });
    expect(result).not.toHaveProperty('http_status');
    expect(result!.error).toMatch(
      /^changed since preview: updated_at was '.+' at preview, now '.+' at hubspot;/,
    );
    expect(writesIn(h.sandboxes.hubspot.requests)).toEqual([]);
    expect(h.sandboxes.hubspot.store.get('contacts', target.id)!.archived).toBe(false);
    expect(await localRow(h.db, 'hubspot', 'contacts', { id: target.id })).toBeDefined();
  });

  it('a vendor validation error fails the row with HubSpot’s message', async () => {
    const plan = insertPlan(contacts, [{ email: 'x@writeback.example', no_such_property: 'x' }]);
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({ status: 'failed', http_status: 400 });
    expect(result!.error).toMatch(/^HTTP 400 from hubspot: Property values were not valid/);
    expect(result!.error).toContain('no_such_property');
  });
});
