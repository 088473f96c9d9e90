// Saved queries as an agent sees them: the SDK's real Client spawns `dinobase mcp` on a file database holding saved queries.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DinobaseDB } from '../worker/db.ts';
import { openWith } from '../worker/duckdb/node.ts';
import { saveQuery } from '../worker/meta/saved.ts';
import { call } from './mcp-stdio-kit.ts';

const REPO = new URL('..', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'dinobase-mcp-saved-'));
let client: Client;

beforeAll(async () => {
  const db = new DinobaseDB(join(home, 'dinobase.duckdb'), { open: openWith('native') });
  await db.run('CREATE SCHEMA shop');
  await db.run("CREATE TABLE shop.orders AS SELECT range AS id, 'o' || range AS ref FROM range(12)");
  await saveQuery(db, {
    name: 'Order count',
    sql: 'SELECT count(*) AS n FROM shop.orders',
    description: 'All',
  });
  await saveQuery(db, { name: 'Orders', sql: 'SELECT id, ref FROM shop.orders ORDER BY id' });
  // Saved SQL is as untrusted as typed SQL: this one must be refused when run, like `query` refuses it.
  await saveQuery(db, { name: 'Drop it', sql: 'DROP TABLE shop.orders' });
  await db.close();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('DINOBASE_')) env[k] = v;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(REPO, 'node/cli/bin.mjs'), 'mcp'],
    cwd: REPO,
    env: { ...env, DINOBASE_HOME: home },
    stderr: 'inherit',
  });
  client = new Client({ name: 'saved-test', version: '1.0.0' });
  await client.connect(transport);
}, 120_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

describe('saved queries over MCP (stdio)', { timeout: 60_000 }, () => {
  it('lists the tools: saved_queries read-only, run_saved_query not', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get('saved_queries')?.annotations?.readOnlyHint).toBe(true);
    expect(byName.get('run_saved_query')?.annotations?.readOnlyHint).toBe(false);
    expect(byName.get('run_saved_query')?.inputSchema.properties).toHaveProperty('max_rows');
  });

  it('the instructions point at the saved queries', () => {
    expect(client.getInstructions()).toMatch(/keeps 3 saved queries: `saved_queries` lists them/);
  });

  it('saved_queries lists name, sql and description, and searches', async () => {
    const all = await call(client, 'saved_queries');
    expect(all.isError).toBe(false);
    expect(all.json.saved_queries).toEqual([
      expect.objectContaining({ name: 'Drop it', sql: 'DROP TABLE shop.orders', description: null }),
      expect.objectContaining({
        name: 'Order count',
        sql: 'SELECT count(*) AS n FROM shop.orders',
        description: 'All',
      }),
      expect.objectContaining({ name: 'Orders' }),
    ]);
    const found = await call(client, 'saved_queries', { search: 'COUNT(' });
    expect((found.json.saved_queries as { name: string }[]).map((q) => q.name)).toEqual(['Order count']);
  });

  it('run_saved_query answers as query does, with max_rows', async () => {
    const counted = await call(client, 'run_saved_query', { name: 'Order count' });
    expect(counted.isError).toBe(false);
    expect(counted.json).toMatchObject({ columns: ['n'], rows: [{ n: 12 }], row_count: 1 });
    const capped = await call(client, 'run_saved_query', { name: 'Orders', max_rows: 5 });
    expect(capped.json).toMatchObject({ row_count: 5, total_rows: 12 });
    const typed = await call(client, 'query', {
      sql: 'SELECT id, ref FROM shop.orders ORDER BY id',
      max_rows: 5,
    });
    expect(capped.json.rows).toEqual(typed.json.rows);
  });

  it('refuses saved DDL as query would, and names the saved queries for an unknown name', async () => {
    const refused = await call(client, 'run_saved_query', { name: 'Drop it' });
    expect(refused.isError).toBe(true);
    const direct = await call(client, 'query', { sql: 'DROP TABLE shop.orders' });
    expect(refused.json.error).toBe(direct.json.error);
    const still = await call(client, 'query', { sql: 'SELECT count(*) AS n FROM shop.orders' });
    expect(still.json.rows).toEqual([{ n: 12 }]);
    const unknown = await call(client, 'run_saved_query', { name: 'Nope' });
    expect(unknown.isError).toBe(true);
    expect(unknown.json).toEqual({
      error: "No saved query named 'Nope'. Saved: Drop it, Order count, Orders.",
      code: 'not_found',
    });
  });
});
