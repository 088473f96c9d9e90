// mcp and mcp-config: the agent tools over stdio on this database, and the block to paste into an MCP client.
import { MCP_CLIENTS, mcpConfig, runStdioServer, type McpClientName } from '../../mcp/stdio.ts';
import { UsageError, type Command } from '../args.ts';

export const mcp: Command = {
  name: 'mcp',
  summary: 'Serve the MCP tools (query, describe, annotate, confirm, …) on stdin/stdout for an AI agent.',
  usage: 'mcp',
  notes: [
    'Started by the MCP client, not by hand: `dinobase mcp-config <client>` prints its configuration.',
    'DINOBASE_AGENTS_MAY_CONFIRM=false makes confirm answer that a person must confirm the write.',
  ],
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    // stdout carries JSON-RPC from here on: nothing else may be printed to it.
    await runStdioServer({ dbPath: ctx.dbPath });
    return 0;
  },
};

export const mcpConfigCommand: Command = {
  name: 'mcp-config',
  summary: `Print the configuration that connects an MCP client (${MCP_CLIENTS.join(', ')}) to \`dinobase mcp\`.`,
  usage: `mcp-config <${MCP_CLIENTS.join('|')}>`,
  positionals: { min: 1, max: 1 },
  async run(ctx, { positionals }) {
    const client = positionals[0]!;
    if (!MCP_CLIENTS.includes(client as McpClientName)) {
      throw new UsageError(
        `Unknown MCP client '${client}'. Available: ${MCP_CLIENTS.join(', ')}.`,
        mcpConfigCommand,
      );
    }
    // The client starts `dinobase mcp` elsewhere: name this home and file so it opens the same database.
    const args = ['mcp', '--db', ctx.dbPath];
    ctx.io.stdout.write(
      `${mcpConfig(client as McpClientName, { command: 'dinobase', args, home: ctx.home })}\n`,
    );
    return 0;
  },
};
