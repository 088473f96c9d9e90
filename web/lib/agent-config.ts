// How to connect an MCP client to this app's /mcp: the config blocks for claude-desktop, claude-code and cursor.

export type AgentClient = 'claude-desktop' | 'claude-code' | 'cursor';

export interface ClientSnippet {
  client: AgentClient;
  label: string;
  /** Where the snippet goes. */
  where: string;
  text: string;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * The snippets for `url` (…/mcp). With `token`, the DINOBASE_TOKEN is sent as a bearer header; the snippet shows
 * a placeholder, never the token itself (the page does not know it, and a screenshot must not leak it).
 */
export function clientSnippets(url: string, token = false): ClientSnippet[] {
  const bearer = 'Bearer <DINOBASE_TOKEN>';
  return [
    {
      client: 'claude-code',
      label: 'Claude Code',
      where: 'Run in a terminal',
      text:
        `claude mcp add --transport http dinobase ${url}` +
        (token ? ` --header "Authorization: ${bearer}"` : ''),
    },
    {
      client: 'cursor',
      label: 'Cursor',
      where: '~/.cursor/mcp.json',
      text: json({
        mcpServers: { dinobase: { url, ...(token ? { headers: { Authorization: bearer } } : {}) } },
      }),
    },
    {
      client: 'claude-desktop',
      label: 'Claude Desktop',
      where: 'claude_desktop_config.json (through the mcp-remote bridge, which speaks HTTP for it)',
      text: json({
        mcpServers: {
          dinobase: {
            command: 'npx',
            args: ['mcp-remote', url, ...(token ? ['--header', `Authorization: ${bearer}`] : [])],
          },
        },
      }),
    },
  ];
}
