// `npm start` entry: the proxy's server with the agent tools at /mcp (in the open tab or headless), and with DINOBASE_SYNC=server the sync and publish loop.
import { pathToFileURL } from 'node:url';
import { ConfigError, UnsafeConfigError } from '../proxy/config.ts';
import { openTarget, publishConfigFromEnv } from '../proxy/datasets/config.ts';
import { launch } from '../proxy/launch.ts';
import type { RunningServer } from '../proxy/server.ts';
import type { AgentBackend, McpOptions } from '../proxy/mcp-http.ts';
import { createMcpServer } from '../worker/agent/mcp-server.ts';
import { runTool, serverInstructions } from '../worker/agent/tools.ts';
import { DinobaseDB } from '../worker/db.ts';
import { agentsMayConfirmFromEnv, headlessAgentEngines } from './mcp/stdio.ts';
import { serverSyncFromEnv, startServerSync, type ServerSync } from './publish/server-sync.ts';

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

export interface Served {
  running: RunningServer;
  /** The sync and publish loop, with `--sync` or DINOBASE_SYNC=server. */
  sync: ServerSync | null;
  close(): Promise<void>;
}

/**
 * The server `npm start` and `dinobase serve` run: the app, /mcp, /api/datasets from DINOBASE_PUBLISH_URL,
 * and, when `sync` (or DINOBASE_SYNC=server), the scheduler publishing there after each sync. Null after
 * printing why it could not start.
 */
export async function serveFromEnv(
  env: Record<string, string | undefined>,
  out: (line: string) => void,
  err: (line: string) => void,
  options: { sync?: boolean; dbPath?: string } = {},
): Promise<Served | null> {
  let sync: ServerSync | null = null;
  try {
    const publish = publishConfigFromEnv(env);
    const target = publish ? await openTarget(publish.target) : undefined;
    const mcp = mcpOptionsFromEnv(env);
    if (options.sync || serverSyncFromEnv(env)) {
      sync = await startServerSync({
        env,
        publish: publish && target ? { config: publish, target } : undefined,
        log: out,
      });
      out(
        publish
          ? `Syncing sources on their schedules here and publishing each to ${target!.location} (keeping ${publish.keep} versions).`
          : 'Syncing sources on their schedules here; set DINOBASE_PUBLISH_URL to publish them as team data.',
      );
    }
    const running = await launch(env, out, err, { mcp, datasets: target });
    if (!running) {
      await sync?.stop();
      return null;
    }
    const loop = sync;
    return {
      running,
      sync: loop,
      async close() {
        await running.close();
        await loop?.stop();
      },
    };
  } catch (error) {
    await sync?.stop().catch(() => undefined);
    if (error instanceof ConfigError || error instanceof UnsafeConfigError) {
      err(error.message);
      return null;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    if (!(await serveFromEnv(process.env, console.log, console.error))) process.exit(1);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
