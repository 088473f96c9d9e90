// The agent channel's WebSocket on Node: the upgrade passes the app's access guard, then `ws` carries the bridge's calls and answers.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hono } from 'hono';
import { WebSocketServer, type WebSocket } from 'ws';
import { SOCKET_ACCEPTED, type AgentBridge } from './agent-bridge.ts';

const CHANNEL_PATH = '/api/agent/channel';

export interface AgentSocketOptions {
  /** Largest answer a tab may send (the same limit as a POSTed answer). */
  maxPayload: number;
  /** Pings keep proxies from dropping an idle socket and find tabs that vanished without a close (default 15 s). */
  keepAliveMs?: number;
}

/** Writes a refused upgrade's HTTP answer on the raw socket and ends it. */
async function refuse(socket: Duplex, response: Response): Promise<void> {
  const body = await response.text();
  socket.end(
    `HTTP/1.1 ${response.status} ${response.statusText || 'Refused'}\r\n` +
      `Content-Type: ${response.headers.get('content-type') ?? 'text/plain'}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Accepts the tab's WebSocket on `server`: each upgrade of /api/agent/channel is first asked of `app` as an
 * ordinary request (Host, Origin, token, role: the guard every API route has), and upgraded only when the
 * channel route accepts it. Anything else asking to upgrade is refused.
 */
export function acceptAgentSockets(
  server: Server,
  app: Hono,
  bridge: AgentBridge,
  options: AgentSocketOptions,
): () => void {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  const open = new Set<WebSocket>();
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      const response =
        url.pathname === CHANNEL_PATH
          ? await app.fetch(new Request(url, { headers }), { incoming: request })
          : new Response('Only the agent channel upgrades to a WebSocket here.', { status: 404 });
      if (response.status !== 200 || response.headers.get(SOCKET_ACCEPTED) !== '1') {
        await refuse(socket, response);
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => serve(ws));
    })().catch(() => socket.destroy());
  };
  const serve = (ws: WebSocket) => {
    open.add(ws);
    const channel = bridge.attachSocket({ send: (text) => ws.send(text), close: () => ws.terminate() });
    let alive = true;
    const ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, options.keepAliveMs ?? 15_000);
    ws.on('pong', () => (alive = true));
    ws.on('message', (data, binary) => {
      if (!binary) channel.receive(data.toString());
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clearInterval(ping);
      open.delete(ws);
      channel.closed();
    });
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    for (const ws of open) ws.terminate();
    sockets.close();
  };
}
