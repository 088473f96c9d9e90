// Write-back to the GitHub sandbox: PATCH an issue by repository and number, create an issue, re-sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { insertPlan, localRow, updatePlan, writeBackFor, writesIn, type Wire } from './writeback-kit.ts';

let h: Harness;
let repo: string;
beforeAll(async () => {
  h = await startHarness();
  expect((await h.sync('github', { resources: ['repos', 'issues'] })).status).toBe('success');
  repo = h.sandboxes.github.store.repos()[0]!.full_name;
});
afterAll(() => h.close());

const issues = { source: 'github', table: 'issues' } as const;
const resync = async () => {
  h.clock.advance(60_000);
  expect((await h.sync('github', { resources: ['repos', 'issues'] })).status).toBe('success');
};

describe('GitHub write-back', () => {
  it('updates an issue’s title and state through repos/{_repos_full_name}/issues/{number}', async () => {
    h.clock.advance(60_000);
    const issue = h.sandboxes.github.store.issues(repo).find((i) => i.state === 'open' && !i.pull_request)!;
    const plan = await updatePlan(h.db, issues, [
      {
        key: { id: issue.id },
        idColumn: 'number',
        scope: ['_repos_full_name', 'number'],
        set: { title: 'Renamed from Dinobase', state: 'closed' },
      },
    ]);
    const wire: Wire[] = [];
    h.sandboxes.github.clearRequests();
    const [result] = await writeBackFor(h, { wire }).execute(plan);
    expect(result).toEqual({
      index: 0,
      id: String(issue.number),
      status: 'ok',
      http_status: 200,
      local: 'updated',
    });
    expect(h.sandboxes.github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${repo}/issues/${issue.number}`,
      `PATCH /repos/${repo}/issues/${issue.number}`,
    ]);
    expect(JSON.parse(wire[1]!.body!)).toEqual({ title: 'Renamed from Dinobase', state: 'closed' });
    const stored = h.sandboxes.github.store.issue(repo, issue.number)!;
    expect(stored).toMatchObject({
      title: 'Renamed from Dinobase',
      state: 'closed',
      state_reason: 'completed',
    });
    const local = await localRow(h.db, 'github', 'issues', { id: issue.id });
    // Columns the API changed on its own (closed_at, state_reason) come back from its answer.
    expect(local).toMatchObject({
      title: 'Renamed from Dinobase',
      state: 'closed',
      state_reason: 'completed',
      _repos_full_name: repo,
    });
    expect(Date.parse(`${String(local!.closed_at)}Z`)).toBe(Date.parse(stored.closed_at!));
    await resync();
    expect(await localRow(h.db, 'github', 'issues', { id: issue.id })).toEqual(local);
  });

  it('creates an issue in a repository; the created id is its number', async () => {
    h.clock.advance(60_000);
    const count = await h.db.getRowCount('github', 'issues');
    const plan = insertPlan(
      issues,
      [{ _repos_full_name: repo, title: 'Filed from Dinobase', body: 'Found while querying.' }],
      ['_repos_full_name'],
    );
    const wire: Wire[] = [];
    h.sandboxes.github.clearRequests();
    const [result] = await writeBackFor(h, { wire }).execute(plan);
    expect(result).toMatchObject({ status: 'ok', http_status: 201, local: 'inserted' });
    expect(writesIn(h.sandboxes.github.requests).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/${repo}/issues`,
    ]);
    expect(JSON.parse(wire[0]!.body!)).toEqual({
      title: 'Filed from Dinobase',
      body: 'Found while querying.',
    });
    const created = h.sandboxes.github.store.issue(repo, Number(result!.created_id))!;
    expect(created).toMatchObject({ title: 'Filed from Dinobase', state: 'open' });
    const local = await localRow(h.db, 'github', 'issues', { id: created.id });
    expect(local).toMatchObject({
      number: created.number,
      title: 'Filed from Dinobase',
      body: 'Found while querying.',
      state: 'open',
      user__login: created.user.login,
      _repos_full_name: repo,
      _dlt_id: String(created.id),
    });
    await resync();
    expect(await h.db.getRowCount('github', 'issues')).toBe(count + 1);
    expect(await localRow(h.db, 'github', 'issues', { id: created.id })).toEqual(local);
  });

  it('a 422 from GitHub fails the row with its message and leaves the local row alone', async () => {
    const issue = h.sandboxes.github.store.issues(repo).find((i) => !i.pull_request)!;
    const plan = await updatePlan(h.db, issues, [
      {
        key: { id: issue.id },
        idColumn: 'number',
        scope: ['_repos_full_name', 'number'],
        set: { state: 'finished' },
      },
    ]);
    const before = await localRow(h.db, 'github', 'issues', { id: issue.id });
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({
      status: 'failed',
      http_status: 422,
      error: 'HTTP 422 from github: Validation Failed (state invalid)',
    });
    expect(await localRow(h.db, 'github', 'issues', { id: issue.id })).toEqual(before);
  });
});
