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
    expect(sent(wire)[0]!.variables).toEqual({
      input: { teamId: team.id, title: 'Created via issueCreate', priority: 3 },
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
});
