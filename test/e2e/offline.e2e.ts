// Offline: after one online visit the service worker serves the app, and OPFS data is queryable with no server at all.
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../proxy/server.ts';
import {
  captureConsole,
  firstCell,
  freshProfile,
  gotoPage,
  launch,
  runSql,
  textOf,
  waitReady,
} from './browser.ts';

let server: RunningServer | null = null;
let context: BrowserContext;
let page: Page;
let port = 0;
const profile = freshProfile();
const logs: string[] = [];
/** A copy of dist/ with a changed service worker: the app as redeployed. */
const redeployed = mkdtempSync(join(tmpdir(), 'dinobase-e2e-dist-'));

const offlineBadge = () => page.getByTestId('offline-badge').count();
const syncSandboxes = () => page.getByRole('button', { name: 'Sync sandbox sources' });
/** Red messages in the sidebar (role="alert"), joined. */
const sidebarAlerts = async () =>
  (await page.getByTestId('sidebar').getByRole('alert').allTextContents()).join(' | ');

beforeAll(async () => {
  server = await startServer({ port: 0 });
  port = Number(new URL(server.url).port);
  context = await launch(profile.dir);
  page = context.pages()[0] ?? (await context.newPage());
  captureConsole(page, logs);
  await page.goto(server.url);
  await waitReady(page);
});

afterAll(async () => {
  if (process.env.E2E_LOGS) console.log(logs.join('\n'));
  await context?.close();
  await server?.close();
  profile.remove();
  rmSync(redeployed, { recursive: true, force: true });
});

describe('offline in Chromium', () => {
  it('installs a service worker that precaches the app and DuckDB-WASM, and serves an installable manifest', async () => {
    // `ready` resolves once a worker is active, which may still be 'activating' on a busy machine.
    await expect
      .poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state))
      .toBe('activated');
    await page.reload();
    await waitReady(page);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys())
          urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    expect(cached).toContain('/index.html');
    expect(cached.some((u) => /^\/assets\/duckdb-eh-.*\.wasm$/.test(u))).toBe(true);
    expect(cached.some((u) => u.startsWith('/bench') || u.startsWith('/assets/bench-'))).toBe(false);
    expect(cached.some((u) => u.startsWith('/api/'))).toBe(false);
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!.href;
      return (await fetch(href, { credentials: 'include' })).json();
    });
    expect(manifest).toMatchObject({ name: 'Dinobase', display: 'standalone', start_url: '/' });
    expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(
      expect.arrayContaining(['192x192', '512x512']),
    );
  });

  it('never answers the API from the service worker', async () => {
    const health = await page.evaluate(async () => {
      const response = await fetch('/api/health', { cache: 'no-store' });
      return { status: response.status, body: (await response.json()) as { status: string } };
    });
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('loads the sample data while online', async () => {
    await expect.poll(offlineBadge).toBe(0);
    await page.getByRole('button', { name: 'Load sample data' }).click();
    await page.getByTestId('source-stripe').waitFor({ timeout: 60_000 });
    await expect.poll(() => syncSandboxes().isEnabled(), { timeout: 30_000 }).toBe(true);
  });

  it('shows an Offline badge and disables Sync as soon as the network drops', async () => {
    await context.setOffline(true);
    await expect.poll(offlineBadge, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => syncSandboxes().isDisabled()).toBe(true);
    await expect.poll(() => syncSandboxes().getAttribute('title')).toContain('offline');
    await expect
      .poll(() => page.getByTestId('offline-badge').getAttribute('title'))
      .toContain('local queries still work');
  });

  it('reloads from the service worker with the server gone and queries the saved data', async () => {
    await server!.close();
    server = null;
    await page.reload();
    await waitReady(page);
    await runSql(page, 'SELECT count(*) AS n FROM stripe.customers');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('180');
    await expect.poll(offlineBadge, { timeout: 10_000 }).toBe(1);
    // Sync needs the server: no enabled Sync button anywhere.
    const syncs = page.getByRole('button', { name: /^Sync/ });
    await expect.poll(() => syncs.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    for (let i = 0; i < (await syncs.count()); i++)
      await expect.poll(() => syncs.nth(i).isDisabled()).toBe(true);
  });

  it('shows the sources as last seen while offline, calmly: no error, sandbox sources and their settings kept', async () => {
    // linear and github have no data here: only the server's list (as last seen) knows them.
    await page.getByTestId('sync-linear').waitFor({ timeout: 30_000 });
    await page.getByTestId('sync-github').waitFor();
    await expect.poll(() => textOf(page, 'sources-offline'), { timeout: 30_000 }).toContain('as last seen');
    await expect.poll(() => syncSandboxes().isDisabled()).toBe(true);
    await expect.poll(sidebarAlerts).toBe('');
    await gotoPage(page, 'sources');
    const card = page.getByTestId('source-card-stripe');
    await expect.poll(() => card.locator('.tag').allTextContents(), { timeout: 30_000 }).toContain('sandbox');
    await expect.poll(() => card.getByLabel('Sync interval of stripe').count()).toBe(1);
    await gotoPage(page, 'query');
  });

  it('resumes by itself when the network and the server are back: list, errors and Sync, with no reload', async () => {
    await page.evaluate(() => Object.assign(window, { beforeResume: true }));
    // The network first: the server is still down, so the page keeps retrying it on its own.
    await context.setOffline(false);
    await expect
      .poll(() => page.getByTestId('offline-badge').getAttribute('title'), { timeout: 30_000 })
      .toContain('server is unreachable');
    server = await startServer({ port });
    await expect.poll(offlineBadge, { timeout: 30_000 }).toBe(0);
    await expect.poll(() => syncSandboxes().isEnabled(), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => textOf(page, 'sources-offline'), { timeout: 30_000 }).toBe('');
    await expect.poll(sidebarAlerts).toBe('');
    // The same page all along.
    await expect.poll(() => page.evaluate(() => 'beforeResume' in window)).toBe(true);
  });

  it('offers a new version after a redeploy, keeps working meanwhile, and reloads into it on request', async () => {
    cpSync('dist', redeployed, { recursive: true });
    appendFileSync(join(redeployed, 'sw.js'), '\n// redeployed\n');
    // The precompressed copies would still be the old worker.
    rmSync(join(redeployed, 'sw.js.br'), { force: true });
    rmSync(join(redeployed, 'sw.js.gz'), { force: true });
    await server!.close();
    server = await startServer({ port, distDir: redeployed });
    await page.evaluate(async () => void (await (await navigator.serviceWorker.getRegistration())!.update()));
    await expect
      .poll(() => textOf(page, 'app-update'), { timeout: 30_000 })
      .toContain('A new version of Dinobase is ready.');
    const waiting = () =>
      page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.waiting !== null);
    await expect.poll(waiting).toBe(true);
    // The open tab keeps its version (and its assets) until the user chooses.
    await runSql(page, 'SELECT 41 + 1 AS answer');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('42');

    await page.evaluate(() => Object.assign(window, { beforeUpdate: true }));
    await page.getByTestId('app-update').getByRole('button', { name: 'Reload' }).click();
    await expect
      .poll(() => page.evaluate(() => !('beforeUpdate' in window)).catch(() => false), { timeout: 30_000 })
      .toBe(true);
    await waitReady(page);
    await expect.poll(waiting).toBe(false);
    await expect.poll(() => page.getByTestId('app-update').count()).toBe(0);
    await runSql(page, 'SELECT count(*) AS n FROM stripe.customers');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('180');
  });
});
