// Agents: the "Agents may confirm writes" setting, the recent calls (_dinobase.agent_log), and this tab's /mcp channel and WebMCP tools.
import { AgentChannel, type AgentEngine } from '../lib/agent-channel.ts';
import { hasWebMcp, registerWebMcp, type WebToolSpec } from '../lib/webmcp.ts';
import type { AgentLogEntry } from '../../worker/api.ts';
import type { Login } from './Login.svelte.ts';
import type { Session } from './Session.svelte.ts';

const KEY = 'dinobase:agents-may-confirm';

/** One logged call, as the engine reads `_dinobase.agent_log` (newest first). */
export type AgentCall = AgentLogEntry;

export interface AgentsEngine extends AgentEngine {
  agentLog(options: { limit?: number }): Promise<AgentCall[]>;
}

/** Default on, as in the original; only an explicit "off" turns it off. */
function stored(): boolean {
  return typeof localStorage === 'undefined' || localStorage.getItem(KEY) !== 'off';
}

export class Agents {
  #engine: AgentsEngine;
  #specs: () => Promise<readonly WebToolSpec[]>;
  #mayConfirm = $state(stored());
  #log = $state.raw<AgentCall[]>([]);
  #error = $state.raw<string | null>(null);
  #channel: AgentChannel;
  #login: Pick<Login, 'known' | 'readOnly' | 'agentChannel'> | null;
  #unregister: () => void = () => undefined;
  /** Counts the holds, so that tools loaded for an earlier one are not registered. */
  #turn = 0;
  /** Pages showing the log right now: only then does a call re-read it. */
  #watching = 0;

  /**
   * `login`: the session's role and whether the server has a tab channel; a read-only login has none (the proxy
   * refuses it), nor has a server without /mcp or one that answers agents headless. `specs` loads the WebMCP
   * tools, asked only where the browser offers WebMCP.
   */
  constructor(
    engine: AgentsEngine,
    specs: () => Promise<readonly WebToolSpec[]>,
    login: Pick<Login, 'known' | 'readOnly' | 'agentChannel'> | null = null,
  ) {
    this.#engine = engine;
    this.#specs = specs;
    this.#login = login;
    this.#channel = new AgentChannel({
      engine,
      mayConfirm: () => this.#mayConfirm,
      onCall: () => {
        if (this.#watching > 0) void this.refresh();
      },
    });
  }

  /** "Agents may confirm writes": off, `confirm` and `--force` leave the write for a person in the app. */
  get mayConfirm(): boolean {
    return this.#mayConfirm;
  }
  setMayConfirm(value: boolean): void {
    this.#mayConfirm = value;
    localStorage.setItem(KEY, value ? 'on' : 'off');
  }

  get log(): AgentCall[] {
    return this.#log;
  }
  get error(): string | null {
    return this.#error;
  }

  /** The URL an MCP client connects to. */
  get mcpUrl(): string {
    return `${location.origin}/mcp`;
  }

  /** Keeps the log current while a page shows it; returns the undo. */
  watch(): () => void {
    this.#watching++;
    return () => void this.#watching--;
  }

  async refresh(): Promise<void> {
    try {
      this.#log = await this.#engine.agentLog({ limit: 100 });
      this.#error = null;
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
    }
  }

  /**
   * Serves agents while this tab holds the database: the /mcp channel and the WebMCP tools go up when it opens
   * and down when it lets the database go, so calls always reach the tab that can answer them.
   */
  attach(session: Session): () => void {
    let held = false;
    const up = () => {
      held = true;
      // The role is asked once; the database may have gone to another tab in the meantime.
      void (this.#login?.known() ?? Promise.resolve()).then(() => {
        if (held && !this.#login?.readOnly && this.#login?.agentChannel !== false) this.#channel.start();
      });
      this.#unregister();
      this.#unregister = () => undefined;
      if (!hasWebMcp()) return;
      const turn = ++this.#turn;
      void this.#specs()
        .then((specs) => {
          // The database may have gone (or gone and come back) while the tools loaded: only the latest hold registers.
          if (!held || turn !== this.#turn) return;
          this.#unregister = registerWebMcp({
            specs,
            engine: this.#engine,
            mayConfirm: () => this.#mayConfirm,
          });
        })
        .catch((error: unknown) => {
          console.warn('The WebMCP tools did not load; browser agents cannot call this tab.', error);
        });
    };
    const down = () => {
      held = false;
      this.#channel.stop();
      this.#unregister();
      this.#unregister = () => undefined;
    };
    const stops = [session.onReady(up), session.onRelease(down)];
    return () => {
      for (const stop of stops) stop();
      down();
    };
  }
}
