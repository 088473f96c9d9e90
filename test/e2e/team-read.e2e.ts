// A tab logged in with DINOBASE_READ_TOKEN: it lists and pulls team data and queries it; it asks for nothing the
// read-only role may not read (the sources, the agent channel), so the console stays free of errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryTarget } from '../../proxy/datasets/dir-target.ts';
import { closeFixtureWriter, publishFixture } from '../team-kit.ts';
import { gotoPage, openApp, valueOf, type App } from './browser.ts';

const TOKEN = 'full-token-0123456789abcdef';
const READ_TOKEN = 'read-token-0123456789abcdef';
const root = mkdtempSync(join(tmpdir(), 'dinobase-team-read-e2e-'));
let app: App;

beforeAll(async () => {
  await publishFixture(root, {
    source: 'stripe',
    version: 'v20261204T173000Z-3f2a9c1b',
    tables: [
      { name: 'customers', sql: "SELECT 'cus_' || i AS id, 'Name ' || i AS name FROM range(42) t(i)" },
    ],
  });
  app = await openApp({
    server: { token: TOKEN, readToken: READ_TOKEN, datasets: new DirectoryTarget(root) },
    // Logged in with the read token before the app first opens (the cookie is the context's).
    prepare: async (context, server) => {
      const res = await context.request.post(`${server.url}/api/login`, { data: { token: READ_TOKEN } });
      expect(await res.json()).toMatchObject({ ok: true, role: 'read' });
    },
  });
});
afterAll(async () => {
  await app?.close();
  await closeFixtureWriter();
  rmSync(root, { recursive: true, force: true });
});

describe('team data with the read-only login', () => {
  it('says why the sources are not listed, without asking the proxy for them', async () => {
    const { page } = app;
    await expect
      .poll(async () => (await page.getByTestId('sources-read-only').textContent()) ?? '')
      .toMatch(/read-only \(DINOBASE_READ_TOKEN\)/);
    await page.locator('[data-testid="status"][data-status="ready"]').waitFor();
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
  });

  it('lists, pulls and queries the published dataset', async () => {
    const { page } = app;
    await gotoPage(page, 'sources');
    const section = page.getByTestId('team-data');
    await expect
      .poll(async () => (await section.getByTestId('team-dataset-stripe').textContent()) ?? '')
      .toMatch(/stripe · 42 rows/);
    await section.getByTestId('team-pick-stripe').check();
    await section.getByTestId('team-pull').click();
    await section
      .getByTestId('team-pulled')
      .or(section.getByRole('alert'))
      .first()
      .waitFor({ timeout: 120_000 });
    expect(await section.getByRole('alert').allTextContents()).toEqual([]);
    expect(await valueOf(page, 'SELECT count(*) FROM stripe.customers')).toBe('42');
    expect(await valueOf(page, "SELECT name FROM stripe.customers WHERE id = 'cus_7'")).toBe('Name 7');
    // The whole flow, from the first load (the app's console is captured from then on), left no error there.
    expect(app.logs.filter((line) => /^\[(error|pageerror)\]/.test(line))).toEqual([]);
  }, 180_000);
});
