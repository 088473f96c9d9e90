// `npm start`'s entry (node/serve.ts) as a real child process with DINOBASE_MCP_ENGINE=headless: /mcp runs on the file database, no tab needed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const home = mkdtempSync(join(tmpdir(), 'dinobase-mcp-headless-'));
const children: ChildProcess[] = [];
let url: string;
let client: Client;

/** Starts `tsx node/serve.ts` and resolves with the /mcp URL it prints. */
function serve(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'node/serve.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DINOBASE_HOME: home,
      DINOBASE_SANDBOX: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Agents connect to (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`node/serve.ts exited with ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  // The headless engine keeps a real file: native DuckDB, whatever the unit suites default to.
  url = await serve({ DINOBASE_MCP_ENGINE: 'headless', DINOBASE_DRIVER: 'native' });
  client = new Client({ name: 'headless-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
}, 60_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  for (const child of children) child.kill();
  rmSync(home, { recursive: true, force: true });
});

const textOf = (result: Awaited<ReturnType<Client['callTool']>>) =>
  (result.content as { text: string }[])[0]?.text ?? '';

describe('DINOBASE_MCP_ENGINE=headless', () => {
  it('answers with no tab open: instructions for an empty database, and queries', async () => {
    expect(client.getInstructions()).toMatch(/add|sync/i);
    const result = await client.callTool({ name: 'query', arguments: { sql: 'SELECT 6 * 7 AS answer' } });
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(textOf(result))).toMatchObject({ rows: [{ answer: 42 }] });
  });

  it('logs each call in the file database, with the client name', async () => {
    const result = await client.callTool({
      name: 'query',
      arguments: { sql: "SELECT tool, client, transport FROM _dinobase.agent_log WHERE tool = 'query'" },
    });
    expect(JSON.parse(textOf(result))).toMatchObject({
      rows: expect.arrayContaining([
        { tool: 'query', client: 'headless-test', transport: 'http' },
      ]) as unknown,
    });
  });

  it('the session tells the tab to open no channel: agents are answered here', async () => {
    const session = await fetch(new URL('/api/session', url));
    expect(await session.json()).toMatchObject({ agent_channel: false });
  });

  it('an unknown engine name stops the server with a clear message', async () => {
    await expect(serve({ DINOBASE_MCP_ENGINE: 'cloud' })).rejects.toThrow(/DINOBASE_MCP_ENGINE must be/);
  });
});
