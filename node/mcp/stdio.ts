// `dinobase mcp`: the agent tools over stdio (the SDK's StdioServerTransport) on the headless engine's file database; and the client config blocks.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConnectors } from '../../proxy/connectors.ts';
import { createMcpServer } from '../../worker/agent/mcp-server.ts';
import { loggedSoFar, runTool, serverInstructions, type AgentEngines } from '../../worker/agent/tools.ts';
import { DinobaseDB } from '../../worker/db.ts';
import { SyncRunner } from '../../worker/sync/runner.ts';
import { MutationEngine, QueryEngine, SyncEngine } from '../headless.ts';

export interface StdioOptions {
  /** Default `$DINOBASE_HOME/dinobase.duckdb`. */
  dbPath?: string;
  /** "Agents may confirm writes"; default from `DINOBASE_AGENTS_MAY_CONFIRM` (on unless false/0/no/off). */
  agentsMayConfirm?: boolean;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** The setting from the environment: on, as in the original, unless turned off. */
export function agentsMayConfirmFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  const value = env.DINOBASE_AGENTS_MAY_CONFIRM?.trim().toLowerCase();
  return !(value && ['false', '0', 'no', 'off'].includes(value));
}

/** The headless engines an agent's calls run on. */
export function headlessAgentEngines(db: DinobaseDB): AgentEngines {
  const connectors = loadConnectors();
  const mutations = new MutationEngine(db, { connectors });
  const query = new QueryEngine(db, { mutations, connectors });
  const sync = new SyncRunner(db, new SyncEngine(db, { connectors }));
  return { db, query, mutations, sync, connectors };
}

/** Serves MCP on stdin/stdout until stdin closes; resolves then, with the database closed. */
export async function runStdioServer(options: StdioOptions = {}): Promise<void> {
  const db = new DinobaseDB(options.dbPath);
  const engines = headlessAgentEngines(db);
  const agentsMayConfirm = options.agentsMayConfirm ?? agentsMayConfirmFromEnv();
  const instructions = await serverInstructions(engines);
  const server = createMcpServer(
    (name, args, extra) =>
      runTool(engines, name, args, { client: extra.client, transport: 'stdio', agentsMayConfirm }),
    instructions,
  );
  const transport = new StdioServerTransport(
    options.input as NodeJS.ReadStream | undefined,
    options.output as NodeJS.WriteStream | undefined,
  );
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    (options.input ?? process.stdin).once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => undefined);
  await loggedSoFar(db);
  await db.close();
}

export type McpClientName = 'claude-desktop' | 'claude-code' | 'cursor';
export const MCP_CLIENTS: readonly McpClientName[] = ['claude-desktop', 'claude-code', 'cursor'];

export interface McpConfigOptions {
  /** The command that starts the stdio server. @default 'dinobase' */
  command?: string;
  /** @default ['mcp'] */
  args?: string[];
  /** Passed as `DINOBASE_HOME` when set. */
  home?: string;
}

/** The block to paste into the client's configuration (Claude Code: the command to run). */
export function mcpConfig(client: McpClientName, options: McpConfigOptions = {}): string {
  const command = options.command ?? 'dinobase';
  const args = options.args ?? ['mcp'];
  const env = options.home ? { DINOBASE_HOME: options.home } : undefined;
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
  switch (client) {
    case 'claude-code': {
      const envFlag = env ? ['-e', `DINOBASE_HOME=${env.DINOBASE_HOME}`] : [];
      return ['claude', 'mcp', 'add', 'dinobase', ...envFlag, '--', command, ...args].map(quote).join(' ');
    }
    case 'claude-desktop':
    case 'cursor':
      return JSON.stringify(
        { mcpServers: { dinobase: { command, args, ...(env ? { env } : {}) } } },
        null,
        2,
      );
  }
  throw new Error(`Unknown MCP client '${String(client)}'. Available: ${MCP_CLIENTS.join(', ')}`);
}
