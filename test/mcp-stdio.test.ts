// The MCP server over stdio, as an agent sees it: the SDK's real Client spawns `tsx node/mcp/main.ts` on a file database synced from the sandboxes.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConnectors } from '../proxy/connectors.ts';
import { serveSandboxes, type ServedSandboxes } from '../proxy/sandbox/test-server.ts';
import { DinobaseDB } from '../worker/db.ts';
import { openWith } from '../worker/duckdb/node.ts';
import { SyncEngine } from '../worker/sync/engine.ts';

const REPO = new URL('..', import.meta.url).pathname;
let served: ServedSandboxes;
let home: string;
const clients: Client[] = [];

/** Starts the server as a client would (a child process on stdio) and connects the SDK's Client to it. */
async function connect(env: Record<string, string> = {}, name = 'vitest-agent'): Promise<Client> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) childEnv[k] = v;
  delete childEnv.DINOBASE_DRIVER;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO, 'node/mcp/main.ts')],
    cwd: REPO,
    env: {
      ...childEnv,
      DINOBASE_HOME: home,
      DINOBASE_STRIPE_API_KEY: served.sandboxes.credentials.stripe.api_key!,
      ...env,
    },
    stderr: 'inherit',
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

interface TextResult {
  content: { type: string; text: string }[];
  isError?: boolean;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as TextResult;
  const text = result.content[0]!.text;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { isError: result.isError === true, json: json as Record<string, unknown>, text };
}

beforeAll(async () => {
  served = await serveSandboxes();
  home = mkdtempSync(join(tmpdir(), 'dinobase-mcp-'));
  const db = new DinobaseDB(join(home, 'dinobase.duckdb'), { open: openWith('native') });
  const connectors = loadConnectors();
  const engine = new SyncEngine(db, { connectors });
  for (const vendor of ['stripe', 'hubspot'] as const) {
    const base_url = `${served.base}/${vendor}/`;
    await db.addSource({ name: vendor, type: vendor, base_url });
    const result = await engine.sync(vendor, {
      type: vendor,
      base_url,
      credentials: served.sandboxes.credentials[vendor],
    });
    expect(result.status).toBe('success');
  }
  await db.close();
}, 120_000);

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await served?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('stdio MCP server', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect();
  }, 60_000);

  it('lists every tool with its schema and read-only hint, and no exec_code', async () => {
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
      ].sort(),
    );
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get('describe')!.annotations?.readOnlyHint).toBe(true);
    expect(byName.get('query')!.annotations?.readOnlyHint).toBe(false);
    expect(byName.get('query')!.inputSchema.properties).toHaveProperty('max_rows');
  });

  it('gives the original instructions: sources with freshness and numbered steps, never column types', () => {
    const text = client.getInstructions() ?? '';
    expect(text).toMatch(/^ {2}stripe: .*customers.*\(\d[\d,]* rows total\) — fresh \(/m);
    expect(text).toMatch(/^ {2}hubspot: .*contacts/m);
    expect(text).toMatch(/^1\. Call `list_connectors`/m);
    expect(text).toContain('`describe`');
    expect(text).toContain('`query`');
    expect(text).not.toMatch(/VARCHAR|BIGINT|cents/);
  });

  it('query: rows in the seed shape; max_rows truncates; a bad statement is a tool error', async () => {
    const counted = await call(client, 'query', { sql: 'SELECT count(*) AS n FROM stripe.customers' });
    expect(counted.isError).toBe(false);
    expect(counted.json).toMatchObject({
      columns: ['n'],
      row_count: 1,
      total_rows: 1,
      data_types: { n: 'BIGINT' },
    });
    const n = (counted.json.rows as { n: number }[])[0]!.n;
    expect(n).toBeGreaterThan(10);

    const capped = await call(client, 'query', { sql: 'SELECT id FROM stripe.customers', max_rows: 3 });
    expect(capped.json).toMatchObject({ row_count: 3, total_rows: n, truncated: true });
    expect(String(capped.json.message)).toContain('Showing 3 of');

    const missing = await call(client, 'query', { sql: 'SELECT * FROM stripe.nope' });
    expect(missing.isError).toBe(true);
    expect(String(missing.json.error)).toContain('nope');

    const refused = await call(client, 'query', { sql: 'DROP TABLE stripe.customers' });
    expect(refused.isError).toBe(true);
    expect(refused.json.code).toBe('refused');

    const invalid = await call(client, 'query', { sql: 'SELECT 1', max_rows: 0 });
    expect(invalid.isError).toBe(true);
    expect(invalid.text).toContain('max_rows');
  });
});
