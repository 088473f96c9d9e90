// Several tabs on one OPFS database: one owns it, "Use here" moves it safely, closing the owner hands it on.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../proxy/server.ts';
import { captureConsole, firstCell, freshProfile, launch, runSql, textOf, waitReady } from './browser.ts';

const JOIN =
  'SELECT count(*) AS matched FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email';

let server: RunningServer;
let context: BrowserContext;
let first: Page;
let second: Page;
const profile = freshProfile();
const logs: string[] = [];

async function newTab(): Promise<Page> {
  const page = await context.newPage();
  captureConsole(page, logs);
  await page.goto(server.url);
  return page;
}

async function notice(page: Page): Promise<string> {
  return textOf(page, 'tab-notice');
}

async function expectQuery(page: Page, sql: string, value: string): Promise<void> {
  await runSql(page, sql);
  await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe(value);
}

beforeAll(async () => {
  server = await startServer({ port: 0 });
  context = await launch(profile.dir);
  first = context.pages()[0] ?? (await context.newPage());
  captureConsole(first, logs);
  await first.goto(server.url);
  await waitReady(first);
});

afterAll(async () => {
  if (process.env.E2E_LOGS) console.log(logs.join('\n'));
  await context?.close();
  await server?.close();
  profile.remove();
});

describe('several tabs in Chromium', () => {
  it('tells a second tab that Dinobase is open in another tab', async () => {
    second = await newTab();
    await expect.poll(() => notice(second), { timeout: 30_000 }).toContain('Dinobase is open in another tab');
    expect(await second.getByTestId('status').getAttribute('data-status')).toBe('elsewhere');
    expect(await notice(first)).toBe('');
  });

  it('keeps working in the owner tab meanwhile', async () => {
    await first.getByRole('button', { name: 'Load sample data' }).click();
    await first.getByTestId('source-stripe').waitFor({ timeout: 60_000 });
    await expectQuery(first, JOIN, '160');
  });

  it('"Use here" moves the database to the second tab with all its data', async () => {
    await second.getByRole('button', { name: 'Use here' }).click();
    await waitReady(second);
    await expect.poll(() => notice(first), { timeout: 30_000 }).toContain('Dinobase moved to another tab');
    expect(await first.getByTestId('status').getAttribute('data-status')).toBe('elsewhere');
    await second.getByTestId('source-stripe').waitFor({ timeout: 30_000 });
    await expectQuery(second, JOIN, '160');
    await expectQuery(second, 'SELECT count(*) AS n FROM stripe.customers', '180');
  });

  it('"Use here" in the first tab takes it back, and its sidebar is refreshed', async () => {
    await first.getByRole('button', { name: 'Use here' }).click();
    await waitReady(first);
    await expect.poll(() => notice(second), { timeout: 30_000 }).toContain('Dinobase moved to another tab');
    await first.getByTestId('source-stripe').waitFor({ timeout: 30_000 });
    await expectQuery(first, 'SELECT count(*) AS n FROM hubspot.contacts', '180');
  });

  it('closing the owner tab hands the database to the waiting tab by itself', async () => {
    await first.close();
    await waitReady(second);
    expect(await notice(second)).toBe('');
    await expectQuery(second, JOIN, '160');
  });

  it('a tab opened later waits behind the new owner', async () => {
    const third = await newTab();
    await expect.poll(() => notice(third), { timeout: 30_000 }).toContain('Dinobase is open in another tab');
    await third.close();
    await expectQuery(second, 'SELECT 1 AS still_fine', '1');
  });
});
