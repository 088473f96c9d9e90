// The tab's end of the /mcp bridge: takes agent calls from the server's SSE channel, runs them in the engine, posts the answers.
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
  #channel: string | null = null;

  constructor(options: AgentChannelOptions) {
    this.#options = options;
  }

  get connected(): boolean {
    return this.#stream !== null;
  }

  start(): void {
    if (this.#stream) return;
    const base = this.#options.base ?? '';
    const open = this.#options.open ?? ((url: string) => new EventSource(url));
    const stream = open(`${base}/api/agent/channel`);
    this.#stream = stream;
    // EventSource reconnects by itself after a server restart; each connection says hello with a new id.
    stream.addEventListener('hello', (event) => {
      const hello: unknown = JSON.parse(event.data);
      this.#channel = isRecord(hello) && typeof hello.channel === 'string' ? hello.channel : null;
    });
    stream.addEventListener('call', (event) => {
      const call = parseCall(event.data);
      if (call && this.#channel) void this.#run(this.#channel, call);
    });
  }

  stop(): void {
    this.#stream?.close();
    this.#stream = null;
    this.#channel = null;
  }

  async #run(channel: string, call: Call): Promise<void> {
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
      body = { channel, id: call.id, result };
    } catch (error) {
      body = { channel, id: call.id, error: error instanceof Error ? error.message : String(error) };
    }
    const fetchImpl = this.#options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    // A lost answer is not retried: the server's timeout turns it into a clear error for the agent.
    await fetchImpl(`${this.#options.base ?? ''}/api/agent/answer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).catch(() => undefined);
    if (call.op === 'tool') this.#options.onCall?.();
  }
}
