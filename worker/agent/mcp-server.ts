// An MCP server (the official SDK's McpServer) exposing every TOOL_SPEC; the transport (stdio, HTTP) and where calls run are the caller's.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolResult } from './tools.ts';
import { TOOL_SPECS } from './specs.ts';

/** What a call carries besides its arguments. */
export interface ToolCallExtra {
  /** The connected client's name (its `clientInfo.name` from initialize). */
  client?: string;
  /** Aborted when the client cancels the request or goes away. */
  signal: AbortSignal;
}

export type ToolRunner = (name: string, args: unknown, extra: ToolCallExtra) => Promise<ToolResult>;

export const SERVER_INFO = { name: 'dinobase', version: '0.1.0' } as const;

/** Registers every tool with its schema and hints; `run` answers each call (validated again there). */
export function createMcpServer(run: ToolRunner, instructions: string): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions, capabilities: { tools: {} } });
  for (const spec of TOOL_SPECS) {
    server.registerTool(
      spec.name,
      {
        description: spec.description,
        inputSchema: spec.inputSchema,
        annotations: {
          readOnlyHint: spec.readOnly,
          // Reads and writes alike touch only this database and the user's own sources.
          openWorldHint: false,
          ...(spec.readOnly
            ? {}
            : { destructiveHint: /^(query|run_saved_query|confirm.*)$/.test(spec.name) }),
        },
      },
      async (args: unknown, extra: { signal: AbortSignal }) => {
        const client = server.server.getClientVersion()?.name;
        const result = await run(spec.name, args, { client, signal: extra.signal });
        return { content: [{ type: 'text' as const, text: result.text }], isError: result.isError };
      },
    );
  }
  return server;
}
