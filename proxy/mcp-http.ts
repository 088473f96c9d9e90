// Streamable HTTP MCP at /mcp (the SDK's web-standard transport), its tools run in the open tab or a headless engine.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { SOCKET_ACCEPTED, parseAnswer, type AgentBridge, type ToolResult } from './agent-bridge.ts';
import { errorMessage } from '../common/error-message.ts';
import { ProxyError } from './errors.ts';

/** Runs one tool for an MCP session; `client` is the session's clientInfo name (worker/agent/mcp-server.ts). */
export type RunTool = (name: string, args: unknown, extra: { client?: string }) => Promise<ToolResult>;

/** Where tool calls run: the leader tab through the bridge, or (DINOBASE_MCP_ENGINE=headless) an engine in Node. */
export interface AgentBackend {
  instructions(): Promise<string>;
  tool(call: { name: string; args: unknown; client: string; agentsMayConfirm: boolean }): Promise<ToolResult>;
}

export interface McpOptions {
  /** Builds the MCP server of one session with every tool registered (worker/agent/mcp-server.ts). */
  createServer: (run: RunTool, instructions: string) => McpServer;
  /** Runs calls here instead of in a tab. */
  headless?: AgentBackend;
  /** DINOBASE_AGENTS_MAY_CONFIRM (default on); in a tab, its setting must allow it too. */
  agentsMayConfirm?: boolean;
  /** How long a call may wait for the tab (default 120 s). */
  timeoutMs?: number;
  /** Largest /mcp request body (default 1 MiB) and largest tab answer (default 32 MiB: up to 10,000 rows). */
  maxBodyBytes?: number;
  maxAnswerBytes?: number;
  /** Sessions kept at once; the least recently used goes first (default 64). */
  maxSessions?: number;
}

/** The largest tab answer by default: up to 10,000 rows. */
export const DEFAULT_MAX_ANSWER_BYTES = 32 * 1024 * 1024;

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
}

/** Said at `initialize` when no tab is open to ask: tool calls will say the same until one is. */
const noTabInstructions = (url: string) =>
  `Dinobase answers from the database in the user's browser tab, and no tab is open. Ask the user to open Dinobase at ${url}, then call list_connectors to see the data.`;

function tooLarge(what: string, limit: number) {
  return () => {
    throw new ProxyError(413, 'body_too_large', `${what} are limited to ${limit} bytes here.`);
  };
}

/** A JSON-RPC error answer for a request the transport never sees. */
function rpcError(c: Context, status: 400 | 404, message: string): Response {
  return c.json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }, status);
}

/**
 * Mounts /mcp and, unless calls run headless, the tab's channel: GET /api/agent/channel (a WebSocket where the
 * runtime upgrades it, else SSE) and POST /api/agent/answer (SSE's answers). Both sit behind the proxy's access
 * guard (Host, Origin, token) like every API route.
 */
export function mountMcp(app: Hono, options: McpOptions, bridge: AgentBridge): void {
  const mayConfirm = options.agentsMayConfirm ?? true;
  const backend: AgentBackend = options.headless ?? {
    instructions: () => bridge.call({ op: 'instructions' }),
    tool: (call) => bridge.call({ op: 'tool', ...call }),
  };
  const sessions = new Map<string, Session>();
  const maxSessions = options.maxSessions ?? 64;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const maxAnswer = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;

  async function open(): Promise<Session> {
    const instructions = await backend.instructions().catch(() => noTabInstructions(bridge.appUrl));
    const run: RunTool = (name, args, extra) =>
      backend
        .tool({ name, args, client: extra.client ?? 'unknown client', agentsMayConfirm: mayConfirm })
        .catch((error: unknown) => ({ text: errorMessage(error), isError: true }));
    const server = options.createServer(run, instructions);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      // Tools answer once, with no progress to stream: a plain JSON response saves the SSE framing per call.
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        sessions.set(id, session);
        // Clients that never say goodbye must not pile up: the least recently used session goes.
        for (const [oldest, old] of sessions) {
          if (sessions.size <= maxSessions) break;
          sessions.delete(oldest);
          void old.transport.close();
        }
      },
      onsessionclosed: (id) => void sessions.delete(id),
    });
    const session: Session = { transport, server };
    await server.connect(transport);
    return session;
  }

  app.all('/mcp', bodyLimit({ maxSize: maxBody, onError: tooLarge('MCP requests', maxBody) }), async (c) => {
    const id = c.req.header('mcp-session-id');
    let parsedBody: unknown;
    if (c.req.method === 'POST') {
      try {
        parsedBody = await c.req.json();
      } catch {
        return rpcError(c, 400, 'Expected a JSON-RPC message (Content-Type: application/json).');
      }
    }
    if (id !== undefined) {
      const session = sessions.get(id);
      if (!session) return rpcError(c, 404, 'Session not found; initialize a new one.');
      // Most recently used last, so the eviction above takes the idlest.
      sessions.delete(id);
      sessions.set(id, session);
      return session.transport.handleRequest(c.req.raw, { parsedBody });
    }
    if (c.req.method !== 'POST' || !isInitializeRequest(parsedBody))
      return rpcError(c, 400, 'No mcp-session-id: the first request must be initialize.');
    const session = await open();
    return session.transport.handleRequest(c.req.raw, { parsedBody });
  });

  if (!options.headless) {
    app.get('/api/agent/channel', (c) => {
      // Past the access guard: the runtime adapter (proxy/agent-socket.ts on Node) upgrades the request.
      if (c.req.header('upgrade')?.toLowerCase() === 'websocket') {
        return c.body(null, 200, { [SOCKET_ACCEPTED]: '1' });
      }
      return new Response(bridge.connect(), {
        headers: {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-cache, no-transform',
          'X-Accel-Buffering': 'no',
        },
      });
    });
    app.post(
      '/api/agent/answer',
      bodyLimit({ maxSize: maxAnswer, onError: tooLarge('Tab answers', maxAnswer) }),
      async (c) => {
        const body: unknown = await c.req.json().catch(() => null);
        const { channel, answer } = parseAnswer(body);
        bridge.answer(channel, answer);
        return c.json({ ok: true });
      },
    );
  }
}
