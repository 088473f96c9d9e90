// The tab's side of the agent tools: EngineApi.agentTool / agentInstructions / agentLog on the service, over sample data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi } from '../api.ts';
import type { DinobaseDB } from '../db.ts';
import { createEngineService } from '../service.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { MutationEngine } from '../query/mutations.ts';
import { QueryEngine } from '../query/engine.ts';
import { AGENT_QUERY_TIMEOUT_MS, loggedArgs, runTool } from './tools.ts';

let engine: EngineApi;
let db: DinobaseDB;
const webmcp = { client: 'page-agent', transport: 'webmcp', agentsMayConfirm: false } as const;

beforeAll(async () => {
  db = memoryDB(new ManualClock(Date.UTC(2026, 5, 1, 9)));
  engine = createEngineService({ db, fetch: async () => new Response('no', { status: 500 }) });
  await engine.open();
});
afterAll(() => engine.close());

describe('agent tools through the engine service', () => {
  it('without data, the instructions say how to add and sync a source', async () => {
    expect(await engine.agentInstructions()).toContain('no data loaded yet');
  });

  it('runs a tool and answers JSON text; validation and unknown tools are tool errors, not throws', async () => {
    await engine.loadSampleData({});
    const ok = await engine.agentTool({ name: 'query', args: { sql: 'SELECT 42 AS n' }, ...webmcp });
    expect(ok.isError).toBe(false);
    expect(JSON.parse(ok.text)).toMatchObject({ rows: [{ n: 42 }], row_count: 1 });
    const bad = await engine.agentTool({
      name: 'query',
      args: { sql: 'SELECT 1', max_rows: 20_000 },
      ...webmcp,
    });
    expect(bad.isError).toBe(true);
    expect(JSON.parse(bad.text).error).toMatch(/^Invalid arguments for query: max_rows: /);
    const unknown = await engine.agentTool({ name: 'exec_code', args: { code: '1' }, ...webmcp });
    expect(unknown.isError).toBe(true);
    expect(JSON.parse(unknown.text).error).toContain("Unknown tool 'exec_code'. Available: query,");
  });

  it('a script answers with its outcome list; a failing one names its line and keeps the list', async () => {
    const sql = 'CREATE OR REPLACE TABLE scratch.agent AS SELECT 1 AS a;\nSELECT a FROM scratch.agent';
    const ok = await engine.agentTool({ name: 'query', args: { sql }, ...webmcp });
    expect(ok.isError).toBe(false);
    expect(JSON.parse(ok.text)).toMatchObject({
      rows: [{ a: 1 }],
      statements: [
        { index: 1, line: 1, kind: 'scratch', verb: 'CREATE', rows: 1, status: 'ok' },
        { index: 2, line: 2, kind: 'read', verb: 'SELECT', rows: 1, status: 'ok' },
      ],
    });
    const bad = await engine.agentTool({ name: 'query', args: { sql: 'SELECT 1;\nSELECT nope' }, ...webmcp });
    expect(bad.isError).toBe(true);
    expect(JSON.parse(bad.text)).toMatchObject({
      error: expect.stringMatching(/^Statement 2 of 2 \(line 2\) failed: Binder Error/),
      line: 2,
      statements: [{ status: 'ok' }, { status: 'failed' }],
    });
    // The instructions below list every schema with tables; this one is not theirs to see.
    const drop = { name: 'query', args: { sql: 'DROP TABLE scratch.agent' }, ...webmcp };
    expect((await engine.agentTool(drop)).isError).toBe(false);
  });

  it('instructions list each source with its tables and row total, marked as sample data', async () => {
    const text = await engine.agentInstructions();
    expect(text).toMatch(/^ {2}stripe: .*customers.* rows total\) — sample data$/m);
    expect(text).not.toMatch(/VARCHAR|BIGINT|cents/);
    // Stripe and HubSpot declare their joins; a schema nobody described gets the hint.
    expect(text).not.toContain('Semantic layer not built');
    await db.query(`CREATE SCHEMA notes`);
    await db.query(`CREATE TABLE notes.items AS SELECT 1 AS id`);
    expect(await engine.agentInstructions()).toMatch(/^Semantic layer not built for: notes\. /m);
  });

  it('a mutation an agent previews carries its client into the pending list; confirm waits for a person', async () => {
    await engine.addSource({ name: 'stripe', type: 'stripe' });
    const [customer] = JSON.parse(
      (
        await engine.agentTool({
          name: 'query',
          args: { sql: 'SELECT id FROM stripe.customers LIMIT 1' },
          ...webmcp,
        })
      ).text,
    ).rows as { id: string }[];
    const preview = JSON.parse(
      (
        await engine.agentTool({
          name: 'query',
          args: { sql: `UPDATE stripe.customers SET name = 'By Agent' WHERE id = '${customer!.id}' --force` },
          ...webmcp,
        })
      ).text,
    );
    expect(preview.status).toBe('pending_confirmation');
    const pending = await engine.listPendingMutations();
    expect(pending.find((m) => m.mutation_id === preview.mutation_id)?.client).toBe('page-agent');
    const confirm = await engine.agentTool({
      name: 'confirm',
      args: { mutation_id: preview.mutation_id },
      ...webmcp,
    });
    expect(confirm.isError).toBe(true);
    expect(JSON.parse(confirm.text)).toMatchObject({ code: 'refused', status: 'awaiting_person' });
    const unknown = await engine.agentTool({
      name: 'confirm_batch',
      args: { mutation_ids: ['mut_x'] },
      ...webmcp,
    });
    expect(JSON.parse(unknown.text)).toEqual({ error: "Mutation 'mut_x' not found", code: 'not_found' });
  });

  it('the log has every call, newest first, with outcome, client and transport', async () => {
    const log = await engine.agentLog({ limit: 3 });
    expect(log).toHaveLength(3);
    expect(log[0]).toMatchObject({
      tool: 'confirm_batch',
      outcome: 'error',
      client: 'page-agent',
      transport: 'webmcp',
    });
    expect(log[1]).toMatchObject({ tool: 'confirm', outcome: 'error' });
    expect(log[0]!.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it("stops an agent's runaway query at its time limit (one minute unless told), and the engine answers after", async () => {
    expect(AGENT_QUERY_TIMEOUT_MS).toBe(60_000);
    const agents = {
      db,
      query: new QueryEngine(db),
      mutations: new MutationEngine(db),
      sync: { run: () => Promise.reject(new Error('no syncs here')) },
    };
    const ctx = {
      client: 'runaway',
      transport: 'library',
      agentsMayConfirm: false,
      queryTimeoutMs: 300,
    } as const;
    const slow = await runTool(agents, 'query', { sql: 'SELECT count(*) FROM range(10000000000) a' }, ctx);
    expect(slow.isError).toBe(true);
    expect(JSON.parse(slow.text)).toMatchObject({
      error: 'Query interrupted: timed out after 300 ms',
      code: 'interrupted',
    });
    const next = await runTool(agents, 'query', { sql: 'SELECT 7 AS n' }, ctx);
    expect(JSON.parse(next.text)).toMatchObject({ rows: [{ n: 7 }] });
  });

  it('masks secret-named arguments in the log', () => {
    expect(loggedArgs({ sql: 'SELECT 1', api_key: 'sk_live_x', nested: { token: 't' } })).toBe(
      '{"sql":"SELECT 1","api_key":"***","nested":{"token":"***"}}',
    );
  });
});
