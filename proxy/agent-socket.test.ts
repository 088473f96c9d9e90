// The agent channel's WebSocket on a real server: the access guard decides the upgrade; calls and answers cross the socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from './server.ts';
import type { McpOptions } from './mcp-http.ts';

const TOKEN = 'socket-test-token-0123456789abcdef';
// The bridge alone is under test: no MCP session is ever created here.
const mcp: McpOptions = {
  createServer: () => {
    throw new Error('no MCP session in this test');
  },
};
let open: RunningServer;
let guarded: RunningServer;
let small: RunningServer;

beforeAll(async () => {
  [open, guarded, small] = await Promise.all([
    startServer({ port: 0, sandbox: false, mcp }),
    startServer({ port: 0, sandbox: false, token: TOKEN, mcp }),
    startServer({ port: 0, sandbox: false, mcp: { ...mcp, maxAnswerBytes: 1024 } }),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.close(), guarded?.close(), small?.close()]);
});

const wsUrl = (server: RunningServer, path = '/api/agent/channel') =>
  `${server.url.replace('http', 'ws')}${path}`;

/** The HTTP status the upgrade was refused with, or 101 once the socket opened. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((done) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.close();
      done(101);
    });
    socket.on('unexpected-response', (_, response) => {
      done(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', () => done(0));
  });
}

describe('the agent WebSocket', () => {
  it('opens from this origin, and from a client that sends none', async () => {
    expect(await upgradeStatus(wsUrl(open), { origin: open.url })).toBe(101);
    expect(await upgradeStatus(wsUrl(open))).toBe(101);
  });

  it('refuses other sites (403), a foreign Host (421), and any other path (404)', async () => {
    expect(await upgradeStatus(wsUrl(open), { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl(open), { host: 'evil.example' })).toBe(421);
    expect(await upgradeStatus(wsUrl(open, '/api/sources'))).toBe(404);
  });

  it('with a token, needs it as any API route does (401 without)', async () => {
    expect(await upgradeStatus(wsUrl(guarded))).toBe(401);
    expect(await upgradeStatus(wsUrl(guarded), { authorization: `Bearer ${TOKEN}` })).toBe(101);
  });

  it('relays a call down the socket and its answer back; a closed socket fails the call waiting on it', async () => {
    const tab = new WebSocket(wsUrl(open));
    const calls: Record<string, unknown>[] = [];
    tab.on('message', (data) => {
      const call = JSON.parse(String(data)) as Record<string, unknown>;
      calls.push(call);
      if (call.op === 'tool' && (call.args as { sql: string }).sql === 'SELECT 1') {
        tab.send('not json');
        tab.send(JSON.stringify({ id: call.id, result: { text: '{"rows":[[1]]}', isError: false } }));
      }
    });
    await new Promise((opened) => tab.on('open', opened));
    await expect.poll(() => open.bridge?.connected).toBe(true);
    const request = { op: 'tool', client: 'c', agentsMayConfirm: false, name: 'query' } as const;
    await expect(open.bridge!.call({ ...request, args: { sql: 'SELECT 1' } })).resolves.toEqual({
      text: '{"rows":[[1]]}',
      isError: false,
    });
    expect(calls[0]).toMatchObject({ type: 'call', op: 'tool', name: 'query' });
    const unanswered = open.bridge!.call({ ...request, args: { sql: 'SELECT 2' } });
    await expect.poll(() => calls.length).toBe(2);
    tab.close();
    await expect(unanswered).rejects.toMatchObject({ code: 'tab_closed' });
    await expect.poll(() => open.bridge?.connected).toBe(false);
  });

  it('an answer over the size limit closes the socket, and its call fails as the tab gone', async () => {
    const tab = new WebSocket(wsUrl(small));
    tab.on('message', (data) => {
      const call = JSON.parse(String(data)) as { id: string };
      tab.send(JSON.stringify({ id: call.id, result: { text: 'x'.repeat(4096), isError: false } }));
    });
    await new Promise((opened) => tab.on('open', opened));
    await expect.poll(() => small.bridge?.connected).toBe(true);
    const call = small.bridge!.call({
      op: 'tool',
      client: 'c',
      agentsMayConfirm: false,
      name: 'query',
      args: {},
    });
    await expect(call).rejects.toMatchObject({ code: 'tab_closed' });
    await expect.poll(() => small.bridge?.connected).toBe(false);
  });
});
