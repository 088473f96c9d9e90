// The MCP server over stdio, as an agent sees it: the SDK's real Client spawns the CLI's `dinobase mcp` on a file database synced from the sandboxes.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startMcpStdio, type McpStdio } from './mcp-stdio-kit.ts';

let m: McpStdio;
beforeAll(async () => {
  m = await startMcpStdio();
}, 120_000);
afterAll(() => m?.close());

describe('stdio MCP server', () => {
  let client: Client;
  beforeAll(async () => {
    client = await m.connect();
  }, 60_000);
  // One process at a time may write the database file.
  afterAll(() => client.close());

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
        'run_saved_query',
        'saved_queries',
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

describe('with "Agents may confirm writes" off', () => {
  let client: Client;
  beforeAll(async () => {
    client = await m.connect({ DINOBASE_AGENTS_MAY_CONFIRM: 'false' }, 'cautious-agent');
  }, 60_000);
  afterAll(() => client.close());

  it('confirm says a person must confirm in the app, and the write waits', async () => {
    const preview = await call(client, 'query', {
      sql: `UPDATE stripe.customers SET name = 'Needs A Person' WHERE id = '${m.customerId}'`,
    });
    const id = String(preview.json.mutation_id);
    const refused = await call(client, 'confirm', { mutation_id: id });
    expect(refused.isError).toBe(true);
    expect(String(refused.json.error)).toContain('A person must confirm this write in the Dinobase app');
    const state = await call(client, 'query', {
      sql: `SELECT status FROM _dinobase.mutations WHERE mutation_id = '${id}'`,
    });
    expect(state.json.rows).toEqual([{ status: 'pending' }]);
    expect(m.served.sandboxes.stripe.store.get('customers', m.customerId)!.name).not.toBe('Needs A Person');
  });

  it('--force only previews, saying why', async () => {
    const forced = await call(client, 'query', {
      sql: `UPDATE stripe.customers SET name = 'Forced Anyway' WHERE id = '${m.customerId}' --force`,
    });
    expect(forced.json).toMatchObject({ status: 'pending_confirmation' });
    expect(String(forced.json.message)).toContain('--force was not applied');
    expect(m.served.sandboxes.stripe.store.get('customers', m.customerId)!.name).not.toBe('Forced Anyway');
  });
});
