// The tab's end of the bridge without a browser: AgentChannel on a real engine service, over the real server's WebSocket and its SSE channel.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../proxy/server.ts';
import { WebSocket } from 'ws';
import { AgentChannel, type EventStream, type SocketStream } from '../web/lib/agent-channel.ts';
import { createMcpServer } from '../worker/agent/mcp-server.ts';
import type { EngineApi } from '../worker/api.ts';
import { createEngineService } from '../worker/service.ts';
import { memoryDB } from '../worker/testing.ts';

/** EventSource's part the channel uses, over fetch (Node has no EventSource): named events, one per block. */
function sseOverFetch(url: string): EventStream {
  const listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
  const abort = new AbortController();
  void (async () => {
    const response = await fetch(url, { signal: abort.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type && data !== undefined)
          for (const listener of listeners.get(type) ?? []) listener(new MessageEvent(type, { data }));
      }
    }
  })().catch(() => undefined);
  return {
    addEventListener: (type, listener) => listeners.set(type, [...(listeners.get(type) ?? []), listener]),
    close: () => abort.abort(),
  };
}

/** `ws`'s client as the browser's WebSocket (Node 20 has none built in). */
const wsSocket = (url: string): SocketStream => new WebSocket(url) as unknown as SocketStream;

/** A WebSocket the server refuses (as a reverse proxy that drops upgrades would): the tab falls back to SSE. */
const refusedSocket = (url: string): SocketStream =>
  new WebSocket(url.replace('/api/agent/channel', '/api/no-socket-here')) as unknown as SocketStream;

describe.each([
  ['a WebSocket', 'socket', wsSocket],
  ['SSE, answering by POST', 'sse', null],
  ['SSE, after the WebSocket was refused', 'sse', refusedSocket],
] as const)('over %s', (_, transport, socket) => {
  const home = mkdtempSync(join(tmpdir(), 'dinobase-mcp-channel-'));
  let server: RunningServer;
  let engine: EngineApi;
  let channel: AgentChannel;
  let client: Client;

  beforeAll(async () => {
    server = await startServer({ port: 0, home, sandbox: false, mcp: { createServer: createMcpServer } });
    engine = createEngineService({ db: memoryDB() });
    await engine.open();
    channel = new AgentChannel({
      engine,
      mayConfirm: () => true,
      base: server.url,
      open: sseOverFetch,
      socket,
    });
    channel.start();
    // The socket opens (or the hello arrives) asynchronously; a call before it would find no tab.
    while (!server.bridge?.connected || !channel.transport) await new Promise((done) => setTimeout(done, 10));
    client = new Client({ name: 'channel-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.url)));
  }, 60_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    channel?.stop();
    await engine?.close();
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const textOf = (result: Awaited<ReturnType<Client['callTool']>>) =>
    (result.content as { text: string }[])[0]?.text ?? '';

  describe('AgentChannel', () => {
    it(`carries the calls over ${transport === 'socket' ? 'the WebSocket' : 'SSE'}`, () => {
      expect(channel.transport).toBe(transport);
    });

    it('the session tells the tab that this server has a tab channel', async () => {
      expect(await (await fetch(`${server.url}/api/session`)).json()).toMatchObject({ agent_channel: true });
    });

    it('answers tool calls with the engine, and the instructions at initialize', async () => {
      expect(client.getInstructions()).toMatch(/add|sync/i);
      const result = await client.callTool({ name: 'query', arguments: { sql: 'SELECT 2 + 2 AS four' } });
      expect(result.isError).toBeFalsy();
      expect(JSON.parse(textOf(result))).toMatchObject({ rows: [{ four: 4 }] });
    });

    it("logs the call with the MCP client's name and the http transport", async () => {
      await expect
        .poll(async () =>
          (await engine.agentLog({ limit: 10 })).map((e) => `${e.tool}/${e.client}/${e.transport}`),
        )
        .toContain('query/channel-test/http');
    });

    it('an engine error comes back as a tool error with its message', async () => {
      const result = await client.callTool({ name: 'describe', arguments: { table: 'nope.missing' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/nope\.missing|not found|unknown/i);
    });

    it('stopped, the channel leaves the server with no tab: calls say where to open Dinobase', async () => {
      channel.stop();
      await expect.poll(() => server.bridge?.connected).toBe(false);
      const result = await client.callTool({ name: 'list_connectors', arguments: {} });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('open Dinobase at');
    });
  });
});
