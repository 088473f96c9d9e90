// Team data in Chromium: the server syncs the Stripe sandbox and publishes to a real S3 API (s3rver); two browser
// profiles pick it on the Sources page, pull it into OPFS, see the team badge and the same counts; a reload keeps it;
// a refresh is a 304; a write-back confirmed in one profile reaches the other after the server's next publish.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Publisher } from '../../node/publish/publisher.ts';
import type { DatasetTarget } from '../../proxy/datasets/target.ts';
import { createSandboxes } from '../../proxy/sandbox/index.ts';
import { DinobaseDB } from '../../worker/db.ts';
import { openNativeDuckDB } from '../../worker/duckdb/native.ts';
import { SyncEngine } from '../../worker/sync/engine.ts';
import { relayTransport } from '../../worker/sync/transport.ts';
import { startS3, type S3Kit } from '../s3-kit.ts';
import {
  freshProfile,
  gotoPage,
  launch,
  openApp,
  openPage,
  runSql,
  valueOf,
  waitReady,
  type App,
} from './browser.ts';

const home = mkdtempSync(join(tmpdir(), 'dinobase-team-e2e-'));
const sandboxes = createSandboxes();
/** Parquet files the proxy read from its publish target: counted on the server side. */
const served: string[] = [];
const manifests: string[] = [];
let app: App;
let serverDb: DinobaseDB;
let s3: S3Kit;
/** The server's sync of Stripe through the relay, then a publish to s3rver (as `dinobase serve --sync` does). */
let syncAndPublish: () => Promise<void>;
let second: { context: BrowserContext; remove(): void } | null = null;

function counting(target: DatasetTarget): DatasetTarget {
  return {
    location: target.location,
    putFile: (key, path) => target.putFile(key, path),
    putManifest: (source, bytes) => target.putManifest(source, bytes),
    get: (key, range) => {
      if (key.endsWith('.parquet')) served.push(key);
      if (key.endsWith('manifest.json')) manifests.push(key);
      return target.get(key, range);
    },
    head: (key) => target.head(key),
    children: (prefix) => target.children(prefix),
    deletePrefix: (prefix) => target.deletePrefix(prefix),
  };
}

beforeAll(async () => {
  s3 = await startS3();
  // The proxy serves /api/datasets from the bucket, as with DINOBASE_PUBLISH_URL=s3://team-data/dinobase.
  const target = counting(s3.target('dinobase'));
  app = await openApp({
    server: { sandboxes, datasets: target },
    // The server side syncs and publishes before the tab first opens.
    prepare: async (_context, server) => {
      const staging = join(home, 'staging');
      serverDb = new DinobaseDB(join(home, 'server.duckdb'), {
        open: (options) => openNativeDuckDB({ ...options, exportDir: staging }),
      });
      await serverDb.addSource({ name: 'stripe', type: 'stripe' });
      const syncs = new SyncEngine(serverDb, {
        transport: relayTransport({
          origin: server.url,
          fetch: (input, init) => globalThis.fetch(input, init),
        }),
      });
      const publisher = new Publisher(serverDb, { target, stagingDir: staging });
      syncAndPublish = async () => {
        const synced = await syncs.sync('stripe', { type: 'stripe' });
        if (synced.error) throw new Error(synced.error);
        await publisher.publish('stripe');
      };
      await syncAndPublish();
    },
  });
});
afterAll(async () => {
  await second?.context.close().catch(() => undefined);
  second?.remove();
  await app?.close();
  await serverDb?.close();
  await s3?.close();
  rmSync(home, { recursive: true, force: true });
});

async function pullStripe(page: Page): Promise<void> {
  await gotoPage(page, 'sources');
  const section = page.getByTestId('team-data');
  await section.getByTestId('team-dataset-stripe').waitFor();
  await section.getByTestId('team-pick-stripe').check();
  await section.getByTestId('team-pull').click();
  // Done, or failed with the reason on screen (a pull of ten tables is slow on a loaded machine).
  const done = section.getByTestId('team-pulled').or(section.getByRole('alert'));
  await done.first().waitFor({ timeout: 180_000 });
  expect(await section.getByRole('alert').allTextContents()).toEqual([]);
}

const serverCount = async (table: string) =>
  String((await serverDb.query(`SELECT count(*) AS n FROM stripe.${table}`))[0]!.n);

describe('team data in the browser', () => {
  it('lists the published dataset, pulls it, shows the team badge, and counts the server rows', async () => {
    const { page } = app;
    const calls = sandboxes.stripe.requests.length;
    await gotoPage(page, 'sources');
    const dataset = page.getByTestId('team-dataset-stripe');
    await expect
      .poll(async () => (await dataset.textContent()) ?? '')
      .toMatch(/stripe · [\d,]+ rows · .* published/);
    await pullStripe(page);
    await page.getByTestId('team-badge').first().waitFor();
    const node = page.getByTestId('sync-stripe');
    await expect.poll(async () => await node.locator('[data-testid="team-badge"]').count()).toBe(1);
    await expect.poll(async () => (await node.textContent()) ?? '').toMatch(/published .* ago/);
    expect(await valueOf(page, 'SELECT count(*) FROM stripe.customers')).toBe(await serverCount('customers'));
    expect(await valueOf(page, 'SELECT count(*) FROM stripe.charges')).toBe(await serverCount('charges'));
    // Pulled, never synced from the vendor: not even by the scheduler, which sees the source once registered.
    expect(sandboxes.stripe.requests.length).toBe(calls);
  }, 300_000);

  it('keeps the pulled tables over a reload (OPFS), and a refresh downloads no Parquet (304)', async () => {
    const { page } = app;
    await page.reload();
    await waitReady(page);
    expect(await valueOf(page, 'SELECT count(*) FROM stripe.customers')).toBe(await serverCount('customers'));
    const [files, seen] = [served.length, manifests.length];
    await gotoPage(page, 'sources');
    const section = page.getByTestId('team-data');
    // The working set is remembered: the source is still picked after the reload.
    await expect.poll(() => section.getByTestId('team-pick-stripe').isChecked()).toBe(true);
    await section.getByTestId('team-pull').click();
    await expect.poll(() => manifests.length).toBeGreaterThan(seen);
    await expect
      .poll(async () => (await section.getByTestId('team-pulled').textContent()) ?? '')
      .toMatch(/\(0 tables changed\)/);
    expect(served.length).toBe(files);
  }, 300_000);

  it('a second browser profile pulls the same dataset and sees the same counts, without a vendor call', async () => {
    const calls = sandboxes.stripe.requests.length;
    const profile = freshProfile();
    const context = await launch(profile.dir);
    second = { context, remove: profile.remove };
    const page = await openPage(context, app.server.url, []);
    await pullStripe(page);
    expect(await valueOf(page, 'SELECT count(*) FROM stripe.customers')).toBe(
      await valueOf(app.page, 'SELECT count(*) FROM stripe.customers'),
    );
    expect(sandboxes.stripe.requests.length).toBe(calls);
  }, 300_000);

  it('a write-back confirmed in one profile reaches the sandbox through the relay, and the other profile after the next publish', async () => {
    const { page } = app;
    const other = second!.context.pages()[0]!;
    const customer = sandboxes.stripe.store.list('customers')[1]!;
    expect(customer.name).not.toBe('Team Write');
    const nameIn = (tab: Page) =>
      valueOf(tab, `SELECT coalesce(name, '∅') FROM stripe.customers WHERE id = '${customer.id}'`);
    await runSql(page, `UPDATE stripe.customers SET name = 'Team Write' WHERE id = '${customer.id}'`);
    const review = page.getByTestId('mutation-review');
    await review.waitFor({ timeout: 30_000 });
    await expect.poll(() => review.getByTestId('diff-new').first().textContent()).toBe('Team Write');
    await review.getByTestId('mutation-confirm').click();
    const results = review.getByTestId('mutation-results');
    await expect.poll(() => results.getAttribute('data-final'), { timeout: 60_000 }).toBe('true');
    await expect
      .poll(() => results.getByTestId('mutation-result-row').first().getAttribute('data-status'))
      .toBe('ok');
    await expect.poll(() => sandboxes.stripe.store.get('customers', customer.id)?.name).toBe('Team Write');
    await expect.poll(() => nameIn(page), { timeout: 30_000 }).toBe('Team Write');
    // The other profile still has the published version: nothing reached it yet.
    expect(await nameIn(other)).not.toBe('Team Write');

    const manifest = manifests.length;
    await syncAndPublish();
    const calls = sandboxes.stripe.requests.length;
    await gotoPage(other, 'sources');
    const section = other.getByTestId('team-data');
    await expect.poll(() => section.getByTestId('team-pick-stripe').isChecked()).toBe(true);
    await section.getByTestId('team-pull').click();
    await expect.poll(() => manifests.length).toBeGreaterThan(manifest);
    await expect
      .poll(async () => (await section.getByTestId('team-pulled').textContent()) ?? '', { timeout: 180_000 })
      .toMatch(/[1-9]\d* tables? changed/);
    expect(await section.getByRole('alert').allTextContents()).toEqual([]);
    await expect.poll(() => nameIn(other), { timeout: 60_000 }).toBe('Team Write');
    expect(await valueOf(other, 'SELECT count(*) FROM stripe.customers')).toBe(
      await serverCount('customers'),
    );
    expect(sandboxes.stripe.requests.length).toBe(calls);
  }, 400_000);
});
