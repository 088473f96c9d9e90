// The /mcp bridge: a `query` tool call over HTTP → the tab → its engine, vs the same `execute` called in the tab.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page } from 'playwright-core';
import { startServer } from '../proxy/server.ts';
import { createMcpServer } from '../worker/agent/mcp-server.ts';
import { freshProfile, launch } from '../test/e2e/browser.ts';
import { benchReady } from './chromium.ts';
import { median, ms, type Row } from './stats.ts';

const SQL = 'SELECT 42 AS answer';
const RUNS = 60;
const WARMUP = 10;

type Bench = {
  serveAgents(): Promise<void>;
  executeOnce(sql: string): Promise<number>;
  agentToolOnce(sql: string): Promise<number>;
};
const inPage = (page: Page, what: 'executeOnce' | 'agentToolOnce', sql: string) =>
  page.evaluate(([w, s]) => (globalThis as unknown as { dinobaseBench: Bench }).dinobaseBench[w](s), [
    what,
    sql,
  ] as const);

export async function benchMcp(): Promise<Row[]> {
  const server = await startServer({
    port: 0,
    distDir: process.env.BENCH_DIST,
    mcp: { createServer: createMcpServer },
  });
  const profile = freshProfile();
  const context = await launch(profile.dir);
  const client = new Client({ name: 'bench', version: '1.0.0' });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${server.url}/bench/page.html`);
    await benchReady(page);
    await page.evaluate(() =>
      (globalThis as unknown as { dinobaseBench: Bench }).dinobaseBench.serveAgents(),
    );
    while (!server.bridge?.connected) await new Promise((done) => setTimeout(done, 20));
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.url)));
    const ours: number[] = [];
    const direct: number[] = [];
    const tool: number[] = [];
    const relayed: number[] = [];
    // Interleaved, so machine noise hits both alike.
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const started = performance.now();
      const result = await client.callTool({ name: 'query', arguments: { sql: SQL } });
      const elapsed = performance.now() - started;
      if (result.isError) throw new Error(JSON.stringify(result.content));
      const baseline = await inPage(page, 'executeOnce', SQL);
      const inTab = await inPage(page, 'agentToolOnce', SQL);
      const relayStarted = performance.now();
      await server.bridge!.call({
        op: 'tool',
        name: 'query',
        args: { sql: SQL },
        client: 'bench',
        agentsMayConfirm: true,
      });
      const relay = performance.now() - relayStarted;
      if (i >= WARMUP) {
        ours.push(elapsed);
        direct.push(baseline);
        tool.push(inTab);
        relayed.push(relay);
      }
    }
    const added = median(ours) - median(direct);
    return [
      {
        benchmark: 'MCP query tool over /mcp → tab → engine, 1 row, vs execute in the tab',
        ours: ms(median(ours)),
        baseline: ms(median(direct)),
        ratio: `${(median(ours) / median(direct)).toFixed(2)}× (+${added.toFixed(2)} ms)`,
        goal: '< 15 ms added',
        verdict: added < 15 ? 'yes' : 'no',
      },
      {
        // Where the added time goes: the tool itself (validation, the agent_log row) vs the HTTP and WebSocket hops.
        benchmark: '  of which agentTool in the tab (no transport), vs execute',
        ours: ms(median(tool)),
        baseline: ms(median(direct)),
        ratio: `+${(median(tool) - median(direct)).toFixed(2)} ms`,
        goal: '(breakdown)',
        verdict: '',
      },
      {
        benchmark: '  of which the channel alone (server → WebSocket → tab → back), vs agentTool',
        ours: ms(median(relayed)),
        baseline: ms(median(tool)),
        ratio: `+${(median(relayed) - median(tool)).toFixed(2)} ms`,
        goal: '(breakdown)',
        verdict: '',
      },
    ];
  } finally {
    await client.close().catch(() => undefined);
    await context.close();
    await server.close();
    profile.remove();
  }
}
