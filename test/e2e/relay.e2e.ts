// e2e: credentials typed into the UI go to the proxy; syncs run through the relay; no secret reaches the page or OPFS.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../proxy/sandbox/index.ts';
import type { RunningServer } from '../../proxy/server.ts';
import { openApp, type App } from './browser.ts';

let app: App;
let server: RunningServer;
let page: Page;
const SECRETS = Object.values(SANDBOX_CREDENTIALS).flatMap((c) => Object.values(c) as string[]);
/** Every request the page and its workers made, with each response body as text. */
const seen: { url: string; body: string }[] = [];

const status = (name: string) => page.getByTestId(`sync-${name}`).getAttribute('data-status');

beforeAll(async () => {
  app = await openApp({
    prepare: (context) => {
      context.on('response', (response) => {
        void response
          .body()
          .then((body) => seen.push({ url: response.url(), body: body.toString('latin1') }))
          .catch(() => seen.push({ url: response.url(), body: '' }));
      });
    },
  });
  ({ server, page } = app);
});

afterAll(() => app?.close());

describe('credentials and the relay, from the browser', () => {
  it('adds a source from the form: the key goes to the proxy, and the list shows only that it is set', async () => {
    await page.getByRole('button', { name: 'Add source' }).click();
    const form = page.getByTestId('add-source');
    await form.getByRole('combobox').selectOption('stripe');
    await form.getByLabel('Name (becomes the SQL schema)').fill('stripe_mine');
    await form.getByLabel("This server's stripe sandbox").check();
    await form.getByLabel('Secret key', { exact: true }).fill(SANDBOX_CREDENTIALS.stripe.api_key);
    await form.getByRole('button', { name: 'Save source' }).click();
    await expect
      .poll(() => page.getByTestId('sync-stripe_mine').getAttribute('data-credentials'), { timeout: 20_000 })
      .toBe('set');
    const stored = await server.store.resolve('stripe_mine');
    expect(stored?.credentials.api_key).toBe(SANDBOX_CREDENTIALS.stripe.api_key);
    expect(
      await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })),
    ).not.toContain(SANDBOX_CREDENTIALS.stripe.api_key);
  });

  it('syncs the new source and all four sandbox sources through the relay', async () => {
    await page.getByRole('button', { name: 'Sync stripe_mine' }).click();
    await expect.poll(() => status('stripe_mine'), { timeout: 90_000 }).toBe('success');
    await page.getByRole('button', { name: 'Sync sandbox sources' }).click();
    for (const name of ['github', 'hubspot', 'linear', 'stripe']) {
      await expect.poll(() => status(name), { timeout: 120_000 }).toBe('success');
    }
    const api = seen.map((s) => new URL(s.url)).filter((u) => u.origin === server.url);
    expect(api.some((u) => u.pathname.startsWith('/api/relay/github/'))).toBe(true);
    expect(api.some((u) => u.pathname.startsWith('/api/relay/stripe_mine/'))).toBe(true);
    // The page never talks to the vendor (or sandbox) API itself: only the relay does.
    expect(api.filter((u) => u.pathname.startsWith('/sandbox/'))).toEqual([]);
  });

  it('never received a secret in any response', async () => {
    expect(seen.length).toBeGreaterThan(20);
    for (const secret of SECRETS) {
      expect(seen.filter((s) => s.body.includes(secret)).map((s) => s.url)).toEqual([]);
    }
  });

  it('never wrote a secret into the OPFS database files', async () => {
    await page.close();
    // A page that does not open the engine, so the database files are free to read.
    const reader = await app.context.newPage();
    await reader.goto(`${server.url}/login`);
    const files = await reader.evaluate(
      async (needles) => {
        const out: { name: string; size: number; found: string[] }[] = [];
        async function walk(dir: FileSystemDirectoryHandle, prefix: string): Promise<void> {
          for await (const [name, handle] of dir as unknown as AsyncIterable<[string, FileSystemHandle]>) {
            if (handle.kind === 'directory') {
              await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`);
              continue;
            }
            const bytes = new Uint8Array(
              await (await (handle as FileSystemFileHandle).getFile()).arrayBuffer(),
            );
            let text = '';
            for (let i = 0; i < bytes.length; i += 8192)
              text += String.fromCharCode(...bytes.subarray(i, i + 8192));
            out.push({
              name: `${prefix}${name}`,
              size: bytes.length,
              found: needles.filter((n) => text.includes(n)),
            });
          }
        }
        await walk(await navigator.storage.getDirectory(), '');
        return out;
      },
      [...SECRETS, 'stripe_mine'],
    );
    const db = files.find((f) => f.name === 'dinobase.duckdb');
    expect(db?.size).toBeGreaterThan(100_000);
    // A control: the scan does see strings the engine stored (the source registry), so it could see a key.
    expect(files.some((f) => f.found.includes('stripe_mine'))).toBe(true);
    for (const secret of SECRETS) {
      expect(files.filter((f) => f.found.includes(secret)).map((f) => f.name)).toEqual([]);
    }
  });
});
