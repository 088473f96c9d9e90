// MCP over HTTP: the SDK's real client calls /mcp on the real server, and the tools run in a real Chromium tab.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../proxy/server.ts';
import { createMcpServer } from '../../worker/agent/mcp-server.ts';
import { TOOL_SPECS } from '../../worker/agent/specs.ts';
import { captureConsole, gotoPage, openApp, type App } from './browser.ts';

let app: App;
let page: Page;
const clients: Client[] = [];

/** A connected SDK client; `headers` go with every request (a bearer token). */
async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'e2e-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', url), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

/** A tool call's text and error flag. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  return { text: content[0]?.text ?? '', isError: result.isError === true };
}

const ENDLESS = 'SELECT count(*) FROM range(100000000000) a, range(10) b';

beforeAll(async () => {
  app = await openApp({ server: { mcp: { createServer: createMcpServer, timeoutMs: 60_000 } } });
  ({ page } = app);
  await page.getByRole('button', { name: 'Load sample data' }).click();
  await page.getByTestId('source-hubspot').waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await app?.close();
});

describe('MCP over HTTP, run in the open tab', () => {
  let client: Client;

  it('lists every tool, read-only ones marked, and gives instructions naming the data', async () => {
    // Chromium's WebSocket carries the calls (SSE is the fallback where upgrades do not get through).
    await expect.poll(() => app.server.bridge?.transport).toBe('socket');
    client = await connect(app.server.url);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
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
      ].sort(),
    );
    expect(tools.find((t) => t.name === 'describe')?.annotations?.readOnlyHint).toBe(true);
    expect(client.getInstructions()).toContain('stripe');
  });

  it('query runs in the tab and returns the seed shape', async () => {
    const { text, isError } = await call(client, 'query', {
      sql: 'SELECT count(*) AS n FROM stripe.customers',
    });
    expect(isError).toBe(false);
    const result = JSON.parse(text) as { columns: string[]; rows: { n: number }[]; row_count: number };
    expect(result.columns).toEqual(['n']);
    expect(result.row_count).toBe(1);
    expect(Number(result.rows[0]!.n)).toBeGreaterThan(0);
  });

  it('describe shows columns and related_tables', async () => {
    const { text, isError } = await call(client, 'describe', { table: 'stripe.subscriptions' });
    expect(isError).toBe(false);
    const table = JSON.parse(text) as { columns: { name: string }[]; related_tables?: { join: string }[] };
    expect(table.columns.map((c) => c.name)).toContain('customer');
    expect(table.related_tables?.map((r) => r.join).join('\n')).toContain('stripe.customers.id');
    // The sidebar shows the same relationships under the table.
    if ((await page.getByTestId('table-stripe.subscriptions').count()) === 0)
      await page.getByTestId('source-stripe').click();
    await page.getByTestId('table-stripe.subscriptions').click();
    await expect
      .poll(() => page.getByTestId('related-stripe.subscriptions').textContent())
      .toContain('stripe.customers');
  });

  it('a bad call is a tool error with the engine message, and the session goes on', async () => {
    const { text, isError } = await call(client, 'query', { sql: "COPY stripe.customers TO 'x.csv'" });
    expect(isError).toBe(true);
    expect(text).toMatch(/COPY|refused/i);
    expect((await call(client, 'query', { sql: 'SELECT 1 AS one' })).isError).toBe(false);
  });

  it('the Agents page shows the calls with the client name', async () => {
    await gotoPage(page, 'agents');
    await expect
      .poll(() => page.locator('[data-testid="agent-call"][data-tool="describe"]').count())
      .toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('agent-log').textContent()).toContain('e2e-agent');
    expect(await page.getByTestId('mcp-url').textContent()).toBe(`${app.server.url}/mcp`);
  });

  it("an agent's write is a preview, shown in Pending with the client's name, until cancelled", async () => {
    const { text, isError } = await call(client, 'query', {
      sql: "UPDATE stripe.customers SET name = 'Agent Renamed' WHERE id = (SELECT min(id) FROM stripe.customers)",
    });
    expect(isError).toBe(false);
    const { mutation_id } = JSON.parse(text) as { mutation_id: string };
    expect(mutation_id).toMatch(/^mut_/);
    await page.getByTestId('mutations-toggle').click();
    await expect
      .poll(() => page.getByTestId('mutation-pending').getByTestId('mutation-client').first().textContent())
      .toContain('by agent: e2e-agent');
    expect((await call(client, 'cancel', { mutation_id })).isError).toBe(false);
    await page.getByTestId('mutations-toggle').click();
  });

  it('a second tab does not take the calls: the tab holding the database answers', async () => {
    const second = await app.context.newPage();
    captureConsole(second, app.logs);
    await second.goto(app.server.url);
    await second.getByTestId('tab-notice').waitFor();
    const { text, isError } = await call(client, 'query', { sql: 'SELECT 7 AS seven' });
    expect(isError).toBe(false);
    expect(JSON.parse(text)).toMatchObject({ rows: [{ seven: 7 }] });
    await second.close();
  });

  it('closing the tab mid-call gives a clear error, not a hang', async () => {
    const pending = call(client, 'query', { sql: ENDLESS });
    await expect.poll(() => app.server.bridge?.pending).toBe(1);
    await page.close();
    const { text, isError } = await pending;
    expect(isError).toBe(true);
    expect(text).toMatch(/tab closed or reloaded during the call/);
  });

  it('with no tab open, a call says where to open Dinobase', async () => {
    await expect.poll(() => app.server.bridge?.connected).toBe(false);
    const { text, isError } = await call(client, 'query', { sql: 'SELECT 1' });
    expect(isError).toBe(true);
    expect(text).toContain(`open Dinobase at ${app.server.url}`);
  });

  it('a tab opened again serves the calls again', async () => {
    page = await app.context.newPage();
    captureConsole(page, app.logs);
    await page.goto(app.server.url);
    const state = async () =>
      `${await page.getByTestId('status').getAttribute('data-status')}: ${await page.getByTestId('status').textContent()}`;
    await expect.poll(state, { timeout: 60_000 }).toMatch(/^ready/);
    await expect.poll(() => app.server.bridge?.connected).toBe(true);
    expect((await call(client, 'query', { sql: 'SELECT 1 AS one' })).isError).toBe(false);
  });
});

describe('/mcp access rules', () => {
  const TOKEN = 'mcp-e2e-token-0123456789abcdef';
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ port: 0, token: TOKEN, mcp: { createServer: createMcpServer } });
  });
  afterAll(() => server?.close());

  const initialize = (headers: Record<string, string> = {}, body?: string) =>
    fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body:
        body ??
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'raw', version: '1' },
          },
        }),
    });

  it('a non-loopback bind without DINOBASE_TOKEN is refused before listening', async () => {
    await expect(
      startServer({ port: 0, hostname: '0.0.0.0', mcp: { createServer: createMcpServer } }),
    ).rejects.toThrow(/DINOBASE_TOKEN/);
  });

  it('with a token, /mcp needs it as a bearer: none or a wrong one is a 401', async () => {
    expect((await initialize()).status).toBe(401);
    expect((await initialize({ authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    await expect(connect(server.url, { authorization: 'Bearer nope' })).rejects.toThrow();
    const client = await connect(server.url, { authorization: `Bearer ${TOKEN}` });
    expect((await client.listTools()).tools.length).toBe(TOOL_SPECS.length);
    // No tab on this server: the tool error says where to open one.
    expect((await call(client, 'list_connectors')).text).toContain('open Dinobase at');
  });

  it('foreign Host and Origin headers are refused (DNS rebinding, other sites)', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await initialize({ ...auth, origin: 'https://evil.example' })).status).toBe(403);
    const { request } = await import('node:http');
    const status = await new Promise<number>((done, fail) => {
      const url = new URL('/mcp', server.url);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/mcp',
          method: 'POST',
          headers: { host: 'evil.example', ...auth },
        },
        (res) => done(res.statusCode ?? 0),
      );
      req.on('error', fail);
      req.end('{}');
    });
    expect(status).toBe(421);
  });

  it('bodies over the limit are refused with 413', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect((await initialize({ authorization: `Bearer ${TOKEN}` }, big)).status).toBe(413);
  });
});
