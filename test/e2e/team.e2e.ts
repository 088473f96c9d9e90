// Team data in Chromium: the server syncs the Stripe sandbox and publishes; two browser profiles pick it on the
// Sources page, pull it into OPFS, see the team badge and the same counts; a reload keeps it; a refresh is a 304.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Publisher } from '../../node/publish/publisher.ts';
import { DirectoryTarget } from '../../proxy/datasets/dir-target.ts';
import type { DatasetTarget } from '../../proxy/datasets/target.ts';
import { createSandboxes } from '../../proxy/sandbox/index.ts';
import { DinobaseDB } from '../../worker/db.ts';
import { openNativeDuckDB } from '../../worker/duckdb/native.ts';
import { SyncEngine } from '../../worker/sync/engine.ts';
import { relayTransport } from '../../worker/sync/transport.ts';
import {
  freshProfile,
  gotoPage,
  launch,
  openApp,
  openPage,
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
  const target = counting(new DirectoryTarget(join(home, 'published')));
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
      const synced = await syncs.sync('stripe', { type: 'stripe' });
      if (synced.error) throw new Error(synced.error);
      await new Publisher(serverDb, { target, stagingDir: staging }).publish('stripe');
    },
  });
});
afterAll(async () => {
  await second?.context.close().catch(() => undefined);
  second?.remove();
  await app?.close();
  await serverDb?.close();
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
      .toMatch(/0 tables changed/);
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
});
