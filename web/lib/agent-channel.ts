// The tab's end of the /mcp bridge: takes agent calls over a WebSocket (or SSE, answering by POST), runs them in the engine, sends the answers.
import { isRecord } from '../../common/json.ts';

/** What a tool call gives back (the engine's `agentTool`). */
export interface AgentToolResult {
  text: string;
  isError: boolean;
}

/** The part of the engine the channel uses. */
export interface AgentEngine {
  agentTool(options: {
    name: string;
    args: Record<string, unknown>;
    client: string;
    transport: 'http' | 'webmcp';
    agentsMayConfirm: boolean;
  }): Promise<AgentToolResult>;
  agentInstructions(): Promise<string>;
}

/** The part of WebSocket the channel uses (the browser's, or `ws`'s in Node tests). */
export interface SocketStream {
  readyState: number;
  addEventListener(
    type: 'open' | 'close' | 'error' | 'message',
    listener: (event: { data?: unknown }) => void,
  ): void;
  send(text: string): void;
  close(): void;
}

/** The part of EventSource the channel uses (tests pass their own). */
export interface EventStream {
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

export interface AgentChannelOptions {
  engine: AgentEngine;
  /** This tab's "Agents may confirm writes" setting, read at each call. */
  mayConfirm: () => boolean;
  /** @default '' (this origin) */
  base?: string;
  /** @default a real EventSource */
  open?: (url: string) => EventStream;
  /** The WebSocket tried first; null uses SSE only. @default a real WebSocket where there is one */
  socket?: ((url: string) => SocketStream) | null;
  /** How long to wait before a dropped socket reconnects (a server restart). @default 1000 */
  reconnectMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Called after each tool call this tab answered (the Agents page re-reads its log). */
  onCall?: () => void;
}

type Call =
  | {
      id: string;
      op: 'tool';
      name: string;
      args: Record<string, unknown>;
      client: string;
      agentsMayConfirm: boolean;
    }
  | { id: string; op: 'instructions' };

function parseCall(data: string): Call | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(value) || typeof value.id !== 'string') return null;
  if (value.op === 'instructions') return { id: value.id, op: 'instructions' };
  if (value.op !== 'tool' || typeof value.name !== 'string' || !isRecord(value.args)) return null;
  return {
    id: value.id,
    op: 'tool',
    name: value.name,
    args: value.args,
    client: typeof value.client === 'string' ? value.client : 'unknown client',
    agentsMayConfirm: value.agentsMayConfirm === true,
  };
}

/**
 * Connected only while this tab holds the database (Session's ready state): the server sends calls to the
 * newest channel, so connecting from a tab without the database would steal the leader's calls.
 */
export class AgentChannel {
  #options: AgentChannelOptions;
  #stream: EventStream | null = null;
  #socket: SocketStream | null = null;
  #channel: string | null = null;
  #started = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(options: AgentChannelOptions) {
    this.#options = options;
  }

  /** Whether the channel is started (its socket or stream may be between reconnects). */
  get connected(): boolean {
    return this.#started;
  }

  /** How calls arrive now: `socket`, `sse`, or null while connecting. */
  get transport(): 'socket' | 'sse' | null {
    if (this.#socket?.readyState === 1) return 'socket';
    return this.#stream ? 'sse' : null;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const socket = this.#options.socket === undefined ? defaultSocket() : this.#options.socket;
    if (socket) this.#openSocket(socket);
    else this.#openStream();
  }

  stop(): void {
    this.#started = false;
    clearTimeout(this.#retry);
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
    this.#stream?.close();
    this.#stream = null;
    this.#channel = null;
  }

  #url(path: string): string {
    return `${this.#options.base ?? ''}${path}`;
  }

  /**
   * The WebSocket: calls come down it and answers go back on it. One that never opens (a reverse proxy that does
   * not pass upgrades) leaves SSE to carry the calls; one that closes after opening (a server restart) reconnects.
   */
  #openSocket(create: (url: string) => SocketStream): void {
    const base = this.#options.base || location.origin;
    const socket = create(`${base.replace(/^http/, 'ws')}/api/agent/channel`);
    this.#socket = socket;
    let opened = false;
    socket.addEventListener('open', () => (opened = true));
    // A close always follows an error, and decides what happens next.
    socket.addEventListener('error', () => undefined);
    socket.addEventListener('message', (event) => {
      const call = typeof event.data === 'string' ? parseCall(event.data) : null;
      if (call) void this.#run(call, (body) => socket.send(JSON.stringify(body)));
    });
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (!this.#started) return;
      if (!opened) return this.#openStream();
      this.#retry = setTimeout(
        () => this.#started && this.#openSocket(create),
        this.#options.reconnectMs ?? 1000,
      );
    });
  }

  /** SSE: calls come down the stream, answers go back by POST with the channel id its `hello` gave. */
  #openStream(): void {
    const open = this.#options.open ?? ((url: string) => new EventSource(url));
    const stream = open(this.#url('/api/agent/channel'));
    this.#stream = stream;
    // EventSource reconnects by itself after a server restart; each connection says hello with a new id.
    stream.addEventListener('hello', (event) => {
      const hello: unknown = JSON.parse(event.data);
      this.#channel = isRecord(hello) && typeof hello.channel === 'string' ? hello.channel : null;
    });
    stream.addEventListener('call', (event) => {
      const call = parseCall(event.data);
      const channel = this.#channel;
      if (call && channel) void this.#run(call, (body) => this.#post({ channel, ...body }));
    });
  }

  async #post(body: Record<string, unknown>): Promise<void> {
    const fetchImpl = this.#options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    // A lost answer is not retried: the server's timeout turns it into a clear error for the agent.
    await fetchImpl(this.#url('/api/agent/answer'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).catch(() => undefined);
  }

  async #run(call: Call, reply: (body: Record<string, unknown>) => Promise<void> | void): Promise<void> {
    const { engine } = this.#options;
    let body: Record<string, unknown>;
    try {
      const result =
        call.op === 'instructions'
          ? await engine.agentInstructions()
          : await engine.agentTool({
              name: call.name,
              args: call.args,
              client: call.client,
              transport: 'http',
              // Both must allow it: the server's DINOBASE_AGENTS_MAY_CONFIRM and this tab's setting.
              agentsMayConfirm: call.agentsMayConfirm && this.#options.mayConfirm(),
            });
      body = { id: call.id, result };
    } catch (error) {
      body = { id: call.id, error: error instanceof Error ? error.message : String(error) };
    }
    try {
      await reply(body);
    } catch {
      // The socket closed meanwhile: the server already failed this call as "tab closed".
    }
    if (call.op === 'tool') this.#options.onCall?.();
  }
}

/** The browser's WebSocket, where there is one. */
function defaultSocket(): ((url: string) => SocketStream) | null {
  return typeof WebSocket === 'undefined' ? null : (url) => new WebSocket(url);
}
