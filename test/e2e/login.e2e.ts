// e2e: token login on a public setup (0.0.0.0, DINOBASE_TOKEN, DINOBASE_PUBLIC_URL, a TLS proxy in front) through
// the real form, a sync and a logout in Chromium; cross-site form posts to the login are refused.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../proxy/server.ts';
import { captureConsole, firstCell, freshProfile, gotoPage, launch, runSql, waitReady } from './browser.ts';
import { startTlsProxy, type TlsProxy } from './tls-proxy.ts';

/**
 * The address users open: Chromium resolves it to a TLS proxy on loopback (with a self-signed certificate it is
 * told to accept), which forwards to the server as Caddy would. An https origin is what makes OPFS available
 * and what makes Chromium send Sec-Fetch-Site, exactly as on a real deployment.
 */
const PUBLIC = 'https://dinobase.test';
const EVIL = 'https://evil.test';
const TOKEN = randomBytes(16).toString('hex');

let server: RunningServer;
let proxy: TlsProxy;
let context: BrowserContext;
let page: Page;
const home = mkdtempSync(join(tmpdir(), 'dinobase-e2e-home-'));
const profile = freshProfile();
const logs: string[] = [];

/** A page on another site that posts the login form to Dinobase as soon as it loads. */
function evilPage(referrer: 'no-referrer' | 'default'): string {
  const meta = referrer === 'no-referrer' ? '<meta name="referrer" content="no-referrer">' : '';
  return `<!doctype html><html><head>${meta}</head><body>
<form method="post" action="${PUBLIC}/api/login"><input name="token" value="${TOKEN}"></form>
<script>document.forms[0].submit()</script></body></html>`;
}

/** Origin and Sec-Fetch-Site of the last `POST path` that reached the proxy, as Chromium sent them. */
function lastPost(path: string): (string | string[] | undefined)[] {
  const sent = proxy.requests.filter((r) => r.method === 'POST' && r.path === path).at(-1);
  return [sent?.headers.origin, sent?.headers['sec-fetch-site']];
}

const sessionCookies = async () =>
  (await context.cookies(PUBLIC)).filter((cookie) => cookie.name === 'dinobase_session');

beforeAll(async () => {
  server = await startServer({
    port: 0,
    hostname: '0.0.0.0',
    token: TOKEN,
    publicOrigin: PUBLIC,
    trustedProxies: 1,
    home,
  });
  proxy = await startTlsProxy('dinobase.test', Number(new URL(server.url).port));
  context = await launch(profile.dir, [
    `--host-resolver-rules=MAP dinobase.test 127.0.0.1:${proxy.port}`,
    '--ignore-certificate-errors',
  ]);
  page = context.pages()[0] ?? (await context.newPage());
  captureConsole(page, logs);
  await context.route(`${EVIL}/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: evilPage(new URL(route.request().url()).pathname === '/quiet' ? 'no-referrer' : 'default'),
    }),
  );
});

afterAll(async () => {
  if (process.env.E2E_LOGS) console.log(logs.join('\n'));
  await context?.close().catch(() => {});
  await proxy?.close();
  await server?.close();
  profile.remove();
  rmSync(home, { recursive: true, force: true });
});

describe('logging in with DINOBASE_TOKEN behind a public URL', () => {
  for (const [path, origin] of [
    ['/quiet', 'null'],
    ['/loud', EVIL],
  ] as const) {
    it(`refuses a cross-site form post of the right token (Origin: ${origin})`, async () => {
      const answer = page.waitForResponse(
        (r) => r.url() === `${PUBLIC}/api/login` && r.request().method() === 'POST',
      );
      await page.goto(`${EVIL}${path}`);
      const response = await answer;
      expect(lastPost('/api/login')).toEqual([origin, 'cross-site']);
      expect(response.status()).toBe(403);
      expect(((await response.json()) as { code: string }).code).toBe('forbidden_origin');
      await expect.poll(() => sessionCookies()).toEqual([]);
    });
  }

  it("shows the login page in the app's colours, light and dark", async () => {
    await page.goto(`${PUBLIC}/login`);
    const look = () =>
      page.evaluate(() => {
        const style = (selector: string) => getComputedStyle(document.querySelector(selector)!);
        return [style('body').backgroundColor, style('body').color, style('button').backgroundColor];
      });
    // web/theme.css: --bg, --text and --accent of each scheme.
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => look()).toEqual(['rgb(255, 255, 255)', 'rgb(33, 37, 41)', 'rgb(25, 113, 194)']);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => look()).toEqual(['rgb(23, 24, 28)', 'rgb(233, 236, 239)', 'rgb(77, 171, 247)']);
    await page.emulateMedia({ colorScheme: null });
  });

  it('logs in through the /login form, whose same-origin post Chromium sends with Origin: null', async () => {
    await page.goto(`${PUBLIC}/`);
    await expect.poll(() => page.url()).toBe(`${PUBLIC}/login`);
    await page.getByLabel('Access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.url()).toBe(`${PUBLIC}/`);
    expect(lastPost('/api/login')).toEqual(['null', 'same-origin']);
    await waitReady(page);
    expect((await sessionCookies()).map((c) => [c.httpOnly, c.secure, c.sameSite])).toEqual([
      [true, true, 'Strict'],
    ]);
  });

  it('syncs a sandbox source through the relay and queries it', async () => {
    await page.getByRole('button', { name: 'Sync linear' }).click();
    await expect
      .poll(() => page.getByTestId('sync-linear').getAttribute('data-status'), { timeout: 90_000 })
      .toBe('success');
    await runSql(page, 'SELECT count(*) > 0 FROM linear.issues');
    await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe('true');
  });

  it('logs out from Settings back to /login, and the API is closed again', async () => {
    await gotoPage(page, 'settings');
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.url()).toBe(`${PUBLIC}/login`);
    expect(lastPost('/api/logout')).toEqual(['null', 'same-origin']);
    await page.getByLabel('Access token').waitFor();
    await expect.poll(() => sessionCookies()).toEqual([]);
    expect((await page.goto(`${PUBLIC}/api/sources`))?.status()).toBe(401);
  });
});
