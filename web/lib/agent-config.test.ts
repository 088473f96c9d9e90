import { describe, expect, it } from 'vitest';
import { clientSnippets } from './agent-config.ts';

describe('clientSnippets', () => {
  it('names the /mcp URL for every client, as valid JSON where it is JSON', () => {
    const snippets = clientSnippets('http://127.0.0.1:8787/mcp');
    expect(snippets.map((s) => s.client)).toEqual(['claude-code', 'cursor', 'claude-desktop']);
    for (const s of snippets) expect(s.text).toContain('http://127.0.0.1:8787/mcp');
    expect(JSON.parse(snippets[1]!.text)).toEqual({
      mcpServers: { dinobase: { url: 'http://127.0.0.1:8787/mcp' } },
    });
    expect(snippets.some((s) => s.text.includes('Authorization'))).toBe(false);
  });

  it('with a token, adds a bearer header placeholder, never a value', () => {
    for (const s of clientSnippets('https://d.example.com/mcp', true))
      expect(s.text).toContain('Bearer <DINOBASE_TOKEN>');
  });
});
