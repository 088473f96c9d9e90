// WebMCP: in a Chromium with --enable-features=WebMCP the page registers the agent tools; playwright-core lists and calls them.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../proxy/server.ts';
import { freshProfile, launch, openPage } from './browser.ts';

let server: RunningServer;
let context: BrowserContext;
let page: Page;
const profile = freshProfile();
const logs: string[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0 });
  context = await launch(profile.dir, ['--enable-features=WebMCP']);
  page = await openPage(context, server.url, logs);
  await page.getByRole('button', { name: 'Load sample data' }).click();
  await page.getByTestId('source-hubspot').waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  if (process.env.E2E_LOGS) console.log(logs.join('\n'));
  await context?.close().catch(() => undefined);
  await server?.close();
  profile.remove();
});

/** The text of a WebMCP tool result. */
function textOf(result: unknown): { text: string; isError: boolean } {
  const { content, isError } = result as { content: { text: string }[]; isError?: boolean };
  return { text: content[0]?.text ?? '', isError: isError === true };
}

describe('WebMCP', () => {
  it('registers every tool, reads marked read-only, with JSON schemas', async () => {
    await expect
      .poll(async () => (await page.webmcp.tools()).map((t) => t.name).sort())
      .toEqual([
        'annotate',
        'cancel',
        'confirm',
        'confirm_batch',
        'describe',
        'list_connectors',
        'query',
        'refresh',
        'run_saved_query',
        'saved_queries',
      ]);
    const tools = await page.webmcp.tools();
    expect(tools.find((t) => t.name === 'describe')?.annotations?.readOnly).toBe(true);
    expect(tools.find((t) => t.name === 'confirm')?.annotations?.readOnly).toBeFalsy();
    expect(tools.find((t) => t.name === 'query')?.inputSchema).toMatchObject({
      type: 'object',
      properties: { sql: { type: 'string' } },
      required: ['sql'],
    });
  });

  it('query runs in the page engine', async () => {
    const { text, isError } = textOf(
      await page.webmcp.callTool('query', { sql: 'SELECT count(*) AS n FROM hubspot.contacts' }),
    );
    expect(isError).toBe(false);
    const result = JSON.parse(text) as { rows: { n: number }[] };
    expect(Number(result.rows[0]!.n)).toBeGreaterThan(0);
  });

  it('describe returns the columns and related_tables', async () => {
    const { text, isError } = textOf(await page.webmcp.callTool('describe', { table: 'hubspot.contacts' }));
    expect(isError).toBe(false);
    const table = JSON.parse(text) as { columns: { name: string }[]; related_tables?: { table: string }[] };
    expect(table.columns.map((c) => c.name)).toContain('email');
    expect(table.related_tables?.map((r) => r.table)).toContain('hubspot.companies');
  });

  it('a refused statement is a tool error, and the call is logged as WebMCP', async () => {
    const { text, isError } = textOf(
      await page.webmcp.callTool('query', { sql: "SELECT * FROM read_csv('http://attacker.example/x')" }),
    );
    expect(isError).toBe(true);
    expect(text).toMatch(/network|refused/i);
    await page.getByTestId('nav-agents').click();
    await expect
      .poll(() => page.locator('[data-testid="agent-call"]').first().textContent())
      .toContain('webmcp');
  });
});
