// `npm start` entry: the proxy's server with the agent tools at /mcp, run in the open tab or (DINOBASE_MCP_ENGINE=headless) here.
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../proxy/config.ts';
import { launch } from '../proxy/launch.ts';
import type { AgentBackend, McpOptions } from '../proxy/mcp-http.ts';
import { createMcpServer } from '../worker/agent/mcp-server.ts';
import { runTool, serverInstructions } from '../worker/agent/tools.ts';
import { DinobaseDB } from '../worker/db.ts';
import { agentsMayConfirmFromEnv, headlessAgentEngines } from './mcp/stdio.ts';

/** DINOBASE_MCP_ENGINE: `tab` (default) relays calls to the open tab; `headless` runs them on the file database. */
export function mcpOptionsFromEnv(env: Record<string, string | undefined> = process.env): McpOptions {
  const engine = (env.DINOBASE_MCP_ENGINE ?? 'tab').trim().toLowerCase() || 'tab';
  if (engine !== 'tab' && engine !== 'headless') {
    throw new ConfigError(`DINOBASE_MCP_ENGINE must be "tab" or "headless", got "${engine.slice(0, 40)}".`);
  }
  const timeout = env.DINOBASE_MCP_TIMEOUT_MS;
  if (timeout && !(Number.isInteger(Number(timeout)) && Number(timeout) > 0))
    throw new ConfigError(
      `DINOBASE_MCP_TIMEOUT_MS must be a whole number of milliseconds, got "${timeout.slice(0, 40)}".`,
    );
  return {
    createServer: createMcpServer,
    agentsMayConfirm: agentsMayConfirmFromEnv(env),
    timeoutMs: timeout ? Number(timeout) : undefined,
    headless: engine === 'headless' ? headlessBackend(env.DINOBASE_DB || undefined) : undefined,
  };
}

/** The headless engine's file database ($DINOBASE_HOME/dinobase.duckdb), opened on the first call. */
export function headlessBackend(dbPath?: string): AgentBackend {
  const engines = headlessAgentEngines(new DinobaseDB(dbPath));
  return {
    instructions: () => serverInstructions(engines),
    tool: ({ name, args, client, agentsMayConfirm }) =>
      runTool(engines, name, args, { client, transport: 'http', agentsMayConfirm }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    if (!(await launch(process.env, console.log, console.error, { mcp: mcpOptionsFromEnv() })))
      process.exit(1);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
