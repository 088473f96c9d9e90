// The channel from the server to the tab holding the database: a WebSocket both ways, or calls down an SSE stream and answers back by POST.
import { ProxyError } from './errors.ts';

/** What a tool call gives back, as the engine's `agentTool` returns it. */
export interface ToolResult {
  text: string;
  isError: boolean;
}

/** One request to the tab: run a tool, or read the server instructions for a new MCP session. */
export type BridgeRequest =
  | {
      op: 'tool';
      name: string;
      args: unknown;
      /** The MCP client's name (its `clientInfo`), shown on mutations and in the agent log. */
      client: string;
      /** The server's own DINOBASE_AGENTS_MAY_CONFIRM; the tab's setting must allow it too. */
      agentsMayConfirm: boolean;
    }
  | { op: 'instructions' };

/** An answer the tab posts: the request's result, or the message of what went wrong there. */
export type BridgeAnswer = { id: string; result: ToolResult | string } | { id: string; error: string };

export interface BridgeOptions {
  /** Where a person opens the app, for the "open Dinobase" error. */
  appUrl: () => string;
  /** How long one call may take before it fails (default 120 s: a refresh syncs a whole source). */
  timeoutMs?: number;
  /** Comment lines every so often keep proxies and the browser from dropping an idle stream (default 15 s). */
  keepAliveMs?: number;
}

interface Pending {
  channel: string;
  resolve: (value: ToolResult | string) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Channel {
  id: string;
  kind: 'socket' | 'sse';
  send: (event: string, data: unknown) => void;
  close: () => void;
}

/** A tab's WebSocket as the bridge uses it (the Node adapter wraps `ws`'s). */
export interface BridgeSocket {
  send(text: string): void;
  close(): void;
}

/** The header the channel route answers an allowed WebSocket upgrade with; the runtime adapter then upgrades. */
export const SOCKET_ACCEPTED = 'x-dinobase-socket-accepted';

const encoder = new TextEncoder();

/**
 * Relays agent calls to the one tab that holds the database. A tab connects only while it owns the database
 * (after the tab election), so the newest channel is the leader's: a tab that takes the database over ("Use
 * here", or the owner closing) replaces the previous one, and a tab that never owned it never connects. Each
 * channel has an unguessable id that only its own stream carries; only that id answers its calls.
 */
export class AgentBridge {
  #options: BridgeOptions;
  /** Connected channels, oldest first; calls go to the last. */
  #channels: Channel[] = [];
  #pending = new Map<string, Pending>();

  constructor(options: BridgeOptions) {
    this.#options = options;
  }

  /** Where a person opens the app. */
  get appUrl(): string {
    return this.#options.appUrl();
  }

  /** Calls waiting for a tab's answer. */
  get pending(): number {
    return this.#pending.size;
  }

  /** How the tab that gets the calls is connected, or null when none is. */
  get transport(): Channel['kind'] | null {
    return this.#channels.at(-1)?.kind ?? null;
  }

  /** Whether a tab is connected to run calls. */
  get connected(): boolean {
    return this.#channels.length > 0;
  }

  /**
   * Opens a channel on a tab's WebSocket: calls go down as `{type: 'call', …}` messages, and the tab's answers
   * (`{id, result}` or `{id, error}`) come back on the same socket, which is the channel's only key. A round trip
   * costs about a millisecond in Chromium, against ~5 ms for the SSE event plus the POST of its answer.
   */
  attachSocket(socket: BridgeSocket): { receive(data: string): void; closed(): void } {
    const id = crypto.randomUUID();
    this.#channels = [
      ...this.#channels,
      {
        id,
        kind: 'socket',
        send: (type, data) => socket.send(JSON.stringify({ type, ...(data as object) })),
        close: () => socket.close(),
      },
    ];
    return {
      receive: (data) => {
        let body: unknown;
        try {
          body = JSON.parse(data);
        } catch {
          body = null;
        }
        // A late answer (its call timed out) or a malformed one is dropped; the call's own timeout speaks for it.
        try {
          const { answer } = parseAnswer(body && typeof body === 'object' ? { ...body, channel: id } : body);
          this.answer(id, answer);
        } catch {
          // nothing waits on it
        }
      },
      closed: () => this.#drop(id),
    };
  }

  /** Opens a channel for a tab: an SSE stream whose first event, `hello`, carries the channel id. */
  connect(): ReadableStream<Uint8Array> {
    const id = crypto.randomUUID();
    let keepAlive: ReturnType<typeof setInterval> | undefined;
    const drop = () => {
      clearInterval(keepAlive);
      this.#drop(id);
    };
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        const write = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            drop();
          }
        };
        const channel: Channel = {
          id,
          kind: 'sse',
          send: (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
          close: () => {
            clearInterval(keepAlive);
            try {
              controller.close();
            } catch {
              // already closed by the other side
            }
          },
        };
        this.#channels = [...this.#channels, channel];
        channel.send('hello', { channel: id });
        keepAlive = setInterval(() => write(': keep-alive\n\n'), this.#options.keepAliveMs ?? 15_000);
      },
      // The tab closed, reloaded or went offline: the runtime cancels the stream.
      cancel: drop,
    });
  }

  /** Closes every channel (server shutdown); calls still waiting fail. */
  close(): void {
    for (const channel of this.#channels) {
      channel.close();
      this.#drop(channel.id);
    }
  }

  /** Sends `request` to the leader tab and waits for its answer. */
  call(request: BridgeRequest & { op: 'tool' }): Promise<ToolResult>;
  call(request: BridgeRequest & { op: 'instructions' }): Promise<string>;
  call(request: BridgeRequest): Promise<ToolResult | string> {
    const channel = this.#channels.at(-1);
    if (!channel) {
      return Promise.reject(
        new ProxyError(
          409,
          'no_tab',
          `No Dinobase tab is open: open Dinobase at ${this.appUrl} in a browser and keep the tab open while the agent works (its database lives in that tab).`,
        ),
      );
    }
    const id = crypto.randomUUID();
    const timeoutMs = this.#options.timeoutMs ?? 120_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new ProxyError(
            504,
            'tab_timeout',
            `The Dinobase tab did not answer within ${Math.round(timeoutMs / 1000)} s; the call was abandoned.`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(id, { channel: channel.id, resolve, reject, timer });
      channel.send('call', { id, ...request });
    });
  }

  /** Takes a tab's answer; only the channel the call went to may give it. */
  answer(channel: string, answer: BridgeAnswer): void {
    const pending = this.#pending.get(answer.id);
    if (!pending || pending.channel !== channel) {
      throw new ProxyError(404, 'unknown_call', 'No call with that id is waiting on this channel.');
    }
    this.#pending.delete(answer.id);
    clearTimeout(pending.timer);
    if ('error' in answer) pending.reject(new ProxyError(500, 'tab_error', answer.error));
    else pending.resolve(answer.result);
  }

  #drop(id: string): void {
    if (!this.#channels.some((c) => c.id === id)) return;
    this.#channels = this.#channels.filter((c) => c.id !== id);
    for (const [callId, pending] of this.#pending) {
      if (pending.channel !== id) continue;
      this.#pending.delete(callId);
      clearTimeout(pending.timer);
      pending.reject(
        new ProxyError(
          502,
          'tab_closed',
          `The Dinobase tab closed or reloaded during the call, so it has no answer; open Dinobase at ${this.appUrl} and call again (a write is only ever previewed until confirmed).`,
        ),
      );
    }
  }
}

/** Reads a tab's answer body; anything else is a clear 400. */
export function parseAnswer(body: unknown): { channel: string; answer: BridgeAnswer } {
  const bad = () =>
    new ProxyError(400, 'bad_answer', 'An answer is {channel, id, result} or {channel, id, error}.');
  if (!body || typeof body !== 'object') throw bad();
  const { channel, id, result, error } = body as Record<string, unknown>;
  if (typeof channel !== 'string' || typeof id !== 'string') throw bad();
  if (typeof error === 'string') return { channel, answer: { id, error } };
  if (typeof result === 'string') return { channel, answer: { id, result } };
  if (result && typeof result === 'object') {
    const { text, isError } = result as Record<string, unknown>;
    if (typeof text === 'string' && typeof isError === 'boolean')
      return { channel, answer: { id, result: { text, isError } } };
  }
  throw bad();
}
