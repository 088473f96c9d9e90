// Runnable entry until the CLI wires it: `tsx node/mcp/main.ts` serves MCP on stdio; `… config <client>` prints a config block.
import { MCP_CLIENTS, mcpConfig, runStdioServer, type McpClientName } from './stdio.ts';

const [command, client] = process.argv.slice(2);
if (command === 'config') {
  if (!MCP_CLIENTS.includes(client as McpClientName)) {
    console.error(`Unknown MCP client '${client ?? ''}'. Available: ${MCP_CLIENTS.join(', ')}`);
    process.exit(1);
  }
  console.log(
    mcpConfig(client as McpClientName, { command: 'npx', args: ['tsx', new URL(import.meta.url).pathname] }),
  );
} else {
  await runStdioServer({ dbPath: process.env.DINOBASE_DB || undefined });
}
