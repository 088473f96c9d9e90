// GitHub connector against the GitHub sandbox: Link-header paging, child resources per repo, `since`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const count = (table: string) => h.db.getRowCount('github', table);

describe('GitHub sync', () => {
  it('syncs repos, then every repo’s issues and pull requests, with exact counts', async () => {
    const result = await h.sync('github');
    expect(result).toMatchObject({ status: 'success', error: null });
    const store = h.sandboxes.github.store;
    const repos = store.repos();
    expect(await count('repos')).toBe(repos.length);
    expect(await count('issues')).toBe(repos.reduce((n, r) => n + store.issues(r.full_name).length, 0));
    expect(await count('pull_requests')).toBe(repos.reduce((n, r) => n + store.pulls(r.full_name).length, 0));
    // Child rows carry the parent key; nested lists become child tables.
    expect(await h.db.query('SELECT count(DISTINCT _repos_full_name) AS n FROM github.issues')).toEqual([
      { n: repos.length },
    ]);
    expect(await h.db.getTables('github')).toEqual(expect.arrayContaining(['issues__labels', 'repos']));
    expect(
      await h.db.query('SELECT count(*) AS n FROM github.issues WHERE pull_request__url IS NOT NULL'),
    ).toEqual([{ n: await count('pull_requests') }]);
  });

  it('uses `since` for issues and stops early for pulls on the next sync, picking up an edit', async () => {
    h.clock.advance(60_000);
    const repo = h.sandboxes.github.store.repos()[0]!;
    const issue = h.sandboxes.github.store.issues(repo.full_name).find((i) => !i.pull_request)!;
    h.sandboxes.github.updateIssue(repo.full_name, issue.number, {
      title: 'Edited by the sync test',
      state: 'closed',
    });
    h.sandboxes.github.clearRequests();
    const result = await h.sync('github');
    expect(result.status).toBe('success');
    const issueCalls = h.sandboxes.github.requests.filter((r) => /\/issues$/.test(r.path));
    expect(issueCalls.length).toBeGreaterThan(0);
    expect(issueCalls.every((r) => typeof r.query.since === 'string')).toBe(true);
    // Only the edit and the records sharing the stored cursor's exact timestamp (since is inclusive) come back.
    expect(result.resources.find((r) => r.name === 'issues')!.rows).toBeLessThan(
      (await count('issues')) / 10,
    );
    expect(await h.db.query('SELECT title, state FROM github.issues WHERE id = ?', [issue.id])).toEqual([
      { title: 'Edited by the sync test', state: 'closed' },
    ]);
  });

  it('recovers from 429s and reports a bad token without touching the tables', async () => {
    h.sandboxes.github.rateLimitBurst(2, 1);
    expect((await h.sync('github', { resources: ['repos'] })).status).toBe('success');
    const before = await snapshot(h.db, 'github');
    const result = await h.sync('github', { credentials: { access_token: 'ghp_wrong' } });
    expect(result.error).toMatch(
      /^github\.repos: page 1: HTTP 401 from GET .*Bad credentials\. Check the credentials\.$/,
    );
    expect(await snapshot(h.db, 'github')).toEqual(before);
  });

  it('fails cleanly on a malformed page of one repo’s issues', async () => {
    const before = await snapshot(h.db, 'github');
    h.sandboxes.github.failNext({ match: /\/issues$/, body: '[{"id": 1,', afterMatches: 2 });
    const result = await h.sync('github');
    expect(result.error).toMatch(/^github\.issues: malformed JSON in page 1 from GET .*\/issues/);
    expect(await snapshot(h.db, 'github')).toEqual(before);
  });
});
