// e2e: a source's data: Delete data then Sync again (both orders, also reopened), a Sources page that opens whole, and sample data that replaces synced data only when confirmed.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerNextDialog,
  gotoPage,
  openApp,
  placesOf,
  squash,
  textOf,
  trackPlaces,
  valueOf,
  waitReady,
  type App,
} from './browser.ts';

let app: App;
let page: Page;

const card = (name: string) => page.getByTestId(`source-card-${name}`);
const badge = (name: string) =>
  page.getByTestId(`sync-${name}`).getByTestId('badge').getAttribute('data-badge');
const statuses = (name: string) =>
  page
    .getByTestId(`sync-history-${name}`)
    .locator('tbody tr[data-status]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));

beforeAll(async () => {
  app = await openApp();
  ({ page } = app);
  await gotoPage(page, 'sources');
});

afterAll(() => app?.close());

async function syncNow(name: string, history: string[]): Promise<void> {
  await gotoPage(page, 'sources');
  await card(name)
    .getByRole('button', { name: `Sync now ${name}` })
    .click();
  // The history reloads when the sync ends, success or not: compare once it has its new row.
  await expect.poll(async () => (await statuses(name)).length, { timeout: 100_000 }).toBe(history.length);
  await expect.poll(() => statuses(name)).toEqual(history);
  await expect.poll(() => card(name).getAttribute('data-badge'), { timeout: 10_000 }).toBe('fresh');
  await expect.poll(() => textOf(page, `source-data-${name}`), { timeout: 10_000 }).toMatch(/[\d,]+ rows/);
}

async function deleteData(name: string, history: string[]): Promise<void> {
  await gotoPage(page, 'sources');
  const question = answerNextDialog(page, true);
  await card(name)
    .getByRole('button', { name: `Delete the data of ${name}` })
    .click();
  await expect.poll(() => question).toContain(`Delete the synced tables of "${name}"?`);
  await expect.poll(() => statuses(name), { timeout: 30_000 }).toEqual(history);
  // Not "Last sync: synced" with a fresh badge: the card says the data went.
  await expect.poll(() => card(name).getAttribute('data-badge')).toBe('never');
  await expect
    .poll(async () => squash(await textOf(page, `source-data-${name}`)))
    .toMatch(/^deleted at .+; sync to get it back$/);
  await expect
    .poll(async () => squash(await textOf(page, `source-last-sync-${name}`)))
    .toBe('none since the data was deleted');
  expect(
    await valueOf(page, `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${name}'`),
  ).toBe('0');
}

async function reopen(): Promise<void> {
  await page.reload();
  await waitReady(page);
  await gotoPage(page, 'sources');
}

describe('Delete data, then Sync now, in one session', () => {
  it('syncs, deletes and syncs again, also once the database was reopened', async () => {
    await card('github').waitFor({ timeout: 30_000 });
    await syncNow('github', ['success']);
    // Tables read back from the OPFS file are the case that failed ("Could not commit creation of dependency").
    await reopen();
    await deleteData('github', ['deleted', 'success']);
    await syncNow('github', ['success', 'deleted', 'success']);
    await deleteData('github', ['deleted', 'success', 'deleted', 'success']);
    await syncNow('github', ['success', 'deleted', 'success', 'deleted', 'success']);
    expect(Number(await valueOf(page, 'SELECT count(*) FROM github.issues'))).toBeGreaterThan(0);
  });

  it('deletes first, then syncs, deletes and syncs again', async () => {
    await gotoPage(page, 'sources');
    await deleteData('hubspot', ['deleted']);
    await syncNow('hubspot', ['success', 'deleted']);
    await reopen();
    await deleteData('hubspot', ['deleted', 'success', 'deleted']);
    await syncNow('hubspot', ['success', 'deleted', 'success', 'deleted']);
    await expect.poll(() => valueOf(page, 'SELECT count(*) FROM hubspot.contacts')).toBe('180');
  });
});

describe('The Sources page', () => {
  it('opens whole on a reload: no card moves under a click once it is shown', async () => {
    // Cards used to appear first and grow by their history tables a moment later: a click landed beside its button.
    await gotoPage(page, 'sources');
    await trackPlaces(page, 'button[aria-label^="Delete the data of"]');
    await page.reload();
    await waitReady(page);
    for (const name of ['github', 'hubspot']) {
      await expect.poll(() => page.getByTestId(`sync-history-${name}`).count(), { timeout: 30_000 }).toBe(1);
    }
    await expect.poll(() => textOf(page, 'team-data')).toContain('This server publishes no datasets.');
    const places = await placesOf(page);
    expect(Object.keys(places)).toEqual(
      expect.arrayContaining(['Delete the data of github', 'Delete the data of hubspot']),
    );
    for (const [label, tops] of Object.entries(places)) expect(tops, label).toHaveLength(1);
  });
});

describe('Load sample data beside synced sources', () => {
  const loads = "SELECT COALESCE(sum(value::INTEGER), 0) FROM _dinobase.metadata WHERE key = 'sample_loads'";
  const syncLog = 'SELECT count(*) FROM _dinobase.sync_log';

  it('asks before replacing synced data, naming it; declining keeps everything', async () => {
    const logged = await valueOf(page, syncLog);
    const question = answerNextDialog(page, false);
    await page.getByRole('button', { name: 'Load sample data' }).click();
    const asked = await question;
    expect(asked).toMatch(
      /^hubspot \([\d,]+ rows\) holds synced data, which loading the sample data would replace\. Replace it with the sample data\?/,
    );
    expect(asked).not.toContain('stripe');
    // Declining loads nothing at all (stripe, which holds nothing, included) and is no error.
    await expect.poll(() => valueOf(page, loads)).toBe('0');
    expect(
      await valueOf(page, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'stripe'"),
    ).toBe('0');
    await expect.poll(() => valueOf(page, syncLog)).toBe(logged);
    await expect.poll(() => textOf(page, 'session-error')).toBe('');
    await expect.poll(() => badge('hubspot')).toBe('fresh');
  });

  it('replaces it once confirmed: its own badge, no sync-log row, and a sync brings the real data back', async () => {
    const logged = await valueOf(page, syncLog);
    const question = answerNextDialog(page, true);
    await page.getByRole('button', { name: 'Load sample data' }).click();
    await expect.poll(() => question).toContain('hubspot');
    for (const name of ['stripe', 'hubspot']) {
      await expect.poll(() => badge(name), { timeout: 60_000 }).toBe('sample');
    }
    await expect.poll(() => valueOf(page, loads)).toBe('2');
    await expect.poll(() => valueOf(page, syncLog)).toBe(logged);
    await gotoPage(page, 'sources');
    await expect
      .poll(async () => squash(await textOf(page, 'source-last-sync-hubspot')))
      .toBe('none: this is sample data, made up in the browser');
    await syncNow('hubspot', ['success', 'success', 'deleted', 'success', 'deleted']);
    await expect.poll(() => badge('hubspot')).toBe('fresh');
    await expect.poll(() => badge('stripe')).toBe('sample');
  });
});
