// The config blocks `dinobase mcp-config` prints, and the "Agents may confirm writes" variable.
import { describe, expect, it } from 'vitest';
import { agentsMayConfirmFromEnv, mcpConfig } from './stdio.ts';

describe('mcpConfig', () => {
  it('prints the mcpServers block Claude Desktop and Cursor read', () => {
    for (const client of ['claude-desktop', 'cursor'] as const) {
      expect(JSON.parse(mcpConfig(client))).toEqual({
        mcpServers: { dinobase: { command: 'dinobase', args: ['mcp'] } },
      });
    }
    expect(JSON.parse(mcpConfig('cursor', { home: '/srv/dino' })).mcpServers.dinobase.env).toEqual({
      DINOBASE_HOME: '/srv/dino',
    });
  });

  it('prints the Claude Code command, quoting what the shell would split', () => {
    expect(mcpConfig('claude-code')).toBe('claude mcp add dinobase -- dinobase mcp');
    expect(mcpConfig('claude-code', { command: 'npx', args: ['tsx', '/my dir/main.ts'], home: '/h' })).toBe(
      "claude mcp add dinobase -e DINOBASE_HOME=/h -- npx tsx '/my dir/main.ts'",
    );
  });
});

describe('agentsMayConfirmFromEnv', () => {
  it('is on unless turned off', () => {
    expect(agentsMayConfirmFromEnv({})).toBe(true);
    expect(agentsMayConfirmFromEnv({ DINOBASE_AGENTS_MAY_CONFIRM: 'true' })).toBe(true);
    for (const off of ['false', '0', 'no', 'OFF']) {
      expect(agentsMayConfirmFromEnv({ DINOBASE_AGENTS_MAY_CONFIRM: off })).toBe(false);
    }
  });
});
