// Write-back to the Linear GraphQL sandbox: issueUpdate and issueCreate with column_map inputs, GraphQL errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { insertPlan, localRow, updatePlan, writeBackFor, type Wire } from './writeback-kit.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  expect((await h.sync('linear', { resources: ['issues', 'teams'] })).status).toBe('success');
});
afterAll(() => h.close());

const issues = { source: 'linear', table: 'issues' } as const;
const resync = async () => {
  h.clock.advance(60_000);
  expect((await h.sync('linear', { resources: ['issues'] })).status).toBe('success');
};
const sent = (wire: Wire[]) =>
  wire.map((w) => JSON.parse(w.body!) as { query: string; variables: Record<string, unknown> });

describe('Linear write-back', () => {
  it('issueUpdate changes title, priority and state (state__id → stateId); local and re-sync agree', async () => {
    h.clock.advance(60_000);
    const store = h.sandboxes.linear.store;
    const issue = [...store.issues.values()][5]!;
    const done = [...store.states.values()].find(
      (s) => s.teamId === issue.team.id && s.type === 'completed',
    )!;
    const plan = await updatePlan(h.db, issues, [
      { key: { id: issue.id }, set: { title: 'Renamed via issueUpdate', priority: 1, state__id: done.id } },
    ]);
    const wire: Wire[] = [];
    const syncId = store.lastSyncId;
    const [result] = await writeBackFor(h, { wire }).execute(plan);
    expect(result).toEqual({ index: 0, id: issue.id, status: 'ok', http_status: 200, local: 'updated' });
    const [read, write] = sent(wire);
    expect(read!.query).toMatch(/^query Issue\(\$id: String!\) \{ issue\(id: \$id\)/);
    expect(read!.variables).toEqual({ id: issue.id });
    expect(write!.query).toMatch(/^mutation IssueUpdate/);
    expect(write!.variables).toEqual({
      id: issue.id,
      input: { title: 'Renamed via issueUpdate', priority: 1, stateId: done.id },
    });
    expect(wire).toHaveLength(2);
    expect(store.lastSyncId).toBe(syncId + 1);
    expect(store.issues.get(issue.id)).toMatchObject({
      title: 'Renamed via issueUpdate',
      priority: 1,
      priorityLabel: 'Urgent',
      state: { id: done.id, type: 'completed' },
    });
    const local = await localRow(h.db, 'linear', 'issues', { id: issue.id });
    // priority_label and state__name were not in SET: they come from the mutation's answer.
    expect(local).toMatchObject({
      title: 'Renamed via issueUpdate',
      priority: 1,
      priority_label: 'Urgent',
      state__id: done.id,
      state__name: done.name,
    });
    await resync();
    expect(await localRow(h.db, 'linear', 'issues', { id: issue.id })).toEqual(local);
  });

  it('issueCreate makes an issue in a team (team__id → teamId) and inserts it locally', async () => {
    h.clock.advance(60_000);
    const team = [...h.sandboxes.linear.store.teams.values()][0]!;
    const count = await h.db.getRowCount('linear', 'issues');
    const plan = insertPlan(issues, [{ team__id: team.id, title: 'Created via issueCreate', priority: 3 }]);
    const wire: Wire[] = [];
    const [result] = await writeBackFor(h, { wire }).execute(plan);
    expect(result).toMatchObject({ status: 'ok', http_status: 200, local: 'inserted' });
    // The create proposes its own id (see the resume test below).
    expect(sent(wire)[0]!.variables).toEqual({
      input: { id: result!.created_id, teamId: team.id, title: 'Created via issueCreate', priority: 3 },
    });
    const created = h.sandboxes.linear.store.issues.get(result!.created_id!)!;
    expect(created).toMatchObject({ title: 'Created via issueCreate', priority: 3, team: { id: team.id } });
    const local = await localRow(h.db, 'linear', 'issues', { id: created.id });
    expect(local).toMatchObject({
      identifier: created.identifier,
      title: 'Created via issueCreate',
      priority: 3,
      team__id: team.id,
      team__key: team.key,
      state__name: created.state.name,
    });
    await resync();
    expect(await h.db.getRowCount('linear', 'issues')).toBe(count + 1);
    expect(await localRow(h.db, 'linear', 'issues', { id: created.id })).toEqual(local);
  });

  it('a GraphQL error fails the row with Linear’s message', async () => {
    const issue = [...h.sandboxes.linear.store.issues.values()][6]!;
    const plan = await updatePlan(h.db, issues, [{ key: { id: issue.id }, set: { priority: 9 } }]);
    const before = await localRow(h.db, 'linear', 'issues', { id: issue.id });
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({ status: 'failed' });
    expect(result!.error).toBe(
      'HTTP 400 from linear: Argument Validation Error: priority must be between 0 and 4.',
    );
    expect(await localRow(h.db, 'linear', 'issues', { id: issue.id })).toEqual(before);
  });

  it('GraphQL errors in a 200 answer fail the row with the message naming the bad value', async () => {
    const issue = [...h.sandboxes.linear.store.issues.values()][8]!;
    const plan = await updatePlan(h.db, issues, [
      { key: { id: issue.id }, set: { state__id: 'no-such-state' } },
    ]);
    h.sandboxes.linear.failNext({
      match: /graphql/,
      afterMatches: 1,
      body: JSON.stringify({
        data: null,
        errors: [
          {
            message: 'Entity not found: WorkflowState',
            extensions: {
              code: 'INVALID_INPUT',
              userPresentableMessage: 'Could not find referenced WorkflowState.',
            },
          },
        ],
      }),
    });
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({
      status: 'failed',
      http_status: 200,
      error:
        'linear refused the write: Entity not found: WorkflowState: Could not find referenced WorkflowState.',
    });
  });

  it('success: false in a 200 answer fails the row', async () => {
    const issue = [...h.sandboxes.linear.store.issues.values()][7]!;
    const plan = await updatePlan(h.db, issues, [{ key: { id: issue.id }, set: { title: 'Never lands' } }]);
    // The stale-check read passes through; the mutation's answer is Linear's success: false payload.
    h.sandboxes.linear.failNext({
      match: /graphql/,
      afterMatches: 1,
      body: JSON.stringify({ data: { issueUpdate: { success: false, issue: null, lastSyncId: 1 } } }),
    });
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({ status: 'failed', http_status: 200 });
    expect(result!.error).toBe('linear answered success: false at data.issueUpdate; nothing was changed.');
    expect(h.sandboxes.linear.store.issues.get(issue.id)!.title).not.toBe('Never lands');
  });

  it('a create whose answer was lost is retried under the same id and found, not made twice', async () => {
    const team = [...h.sandboxes.linear.store.teams.values()][0]!;
    const plan = insertPlan(issues, [{ team__id: team.id, title: 'Answer lost once' }]);
    const wire: Wire[] = [];
    let lost = 0;
    // The first issueCreate reaches Linear; its answer never comes back.
    const flaky: typeof fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      if (String(init?.body).includes('issueCreate') && lost++ === 0) throw new TypeError('fetch failed');
      return response;
    };
    const [result] = await writeBackFor(h, { fetch: flaky, wire }).execute(plan);
    expect(result).toMatchObject({ status: 'ok', local: 'inserted', note: 'created by an earlier attempt' });
    const made = [...h.sandboxes.linear.store.issues.values()].filter((i) => i.title === 'Answer lost once');
    expect(made.map((i) => i.id)).toEqual([result!.created_id]);
    // Both creates carried the same id; Linear refused the second, and the read found the first.
    const creates = sent(wire).filter((w) => w.query.includes('issueCreate'));
    expect(creates.map((w) => (w.variables.input as { id: string }).id)).toEqual([
      result!.created_id,
      result!.created_id,
    ]);
    expect(await localRow(h.db, 'linear', 'issues', { id: result!.created_id! })).toMatchObject({
      title: 'Answer lost once',
    });
  });

  it('a create left in flight by a closed page is found on resume, not sent again', async () => {
    const team = [...h.sandboxes.linear.store.teams.values()][0]!;
    const plan = insertPlan(issues, [{ team__id: team.id, title: 'Made before the tab died' }]);
    const controller = new AbortController();
    const dying: typeof fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      if (String(init?.body).includes('issueCreate')) controller.abort(new Error('tab closed'));
      return response;
    };
    await expect(
      writeBackFor(h, { fetch: dying }).execute(plan, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'interrupted' });
    const wire: Wire[] = [];
    const [result] = await writeBackFor(h, { wire }).execute(plan);
    expect(result).toMatchObject({ status: 'ok', local: 'inserted', note: 'created by an earlier attempt' });
    expect(sent(wire).map((w) => (w.query.includes('issueCreate') ? 'create' : 'read'))).toEqual(['read']);
    const made = [...h.sandboxes.linear.store.issues.values()].filter(
      (i) => i.title === 'Made before the tab died',
    );
    expect(made.map((i) => i.id)).toEqual([result!.created_id]);
  });

  it('a create left in flight that never reached Linear is sent on resume, once', async () => {
    const team = [...h.sandboxes.linear.store.teams.values()][0]!;
    const plan = insertPlan(issues, [{ team__id: team.id, title: 'Never reached Linear' }]);
    await writeBackFor(h).execute({ ...plan, rows: [] });
    await h.db.exclusive((conn) =>
      conn.queryParams(
        `INSERT INTO _dinobase.mutation_rows (mutation_id, row_index, state, attempts) VALUES (?, 0, 'sending', 1)`,
        [plan.mutation_id],
      ),
    );
    const wire: Wire[] = [];
    const [result] = await writeBackFor(h, { wire }).execute(plan);
    expect(result).toMatchObject({ status: 'ok', local: 'inserted' });
    expect(result!.note).toBeUndefined();
    expect(sent(wire).map((w) => (w.query.includes('issueCreate') ? 'create' : 'read'))).toEqual([
      'read',
      'create',
    ]);
    const made = [...h.sandboxes.linear.store.issues.values()].filter(
      (i) => i.title === 'Never reached Linear',
    );
    expect(made).toHaveLength(1);
  });
});
