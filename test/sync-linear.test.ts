// Linear connector against the Linear GraphQL sandbox: Relay paging, updatedAt filter, GraphQL errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const count = (table: string) => h.db.getRowCount('linear', table);

describe('Linear sync', () => {
  it('syncs issues, teams, users and projects with exact counts and nested objects', async () => {
    const result = await h.sync('linear');
    expect(result).toMatchObject({ status: 'success', error: null });
    const store = h.sandboxes.linear.store;
    expect(await count('issues')).toBe(store.issues.size);
    expect(await count('teams')).toBe(store.teams.size);
    expect(await count('users')).toBe(store.users.size);
    expect(await count('projects')).toBe(store.projects.size);
    const columns = (await h.db.getColumns('linear', 'issues')).map((c) => c.column_name);
    expect(columns).toEqual(expect.arrayContaining(['identifier', 'state__name', 'team__key', 'updated_at']));
    expect(await h.db.getTables('linear')).toContain('issues__labels__nodes');
  });

  it('syncs incrementally with the updatedAt filter and picks up an edit', async () => {
    h.clock.advance(60_000);
    const issue = [...h.sandboxes.linear.store.issues.values()][7]!;
    h.sandboxes.linear.updateIssue(issue.id, { title: 'Edited through issueUpdate', priority: 1 });
    h.sandboxes.linear.clearRequests();
    const result = await h.sync('linear', { resources: ['issues'] });
    expect(result.status).toBe('success');
    expect(result.rows_synced).toBe(1);
    expect(await h.db.query('SELECT title, priority FROM linear.issues WHERE id = ?', [issue.id])).toEqual([
      { title: 'Edited through issueUpdate', priority: 1 },
    ]);
  });

  it('recovers from 429s; a bad key is a clear error and changes nothing', async () => {
    h.sandboxes.linear.rateLimitBurst(2, 1);
    expect((await h.sync('linear', { resources: ['teams'] })).status).toBe('success');
    const before = await snapshot(h.db, 'linear');
    const result = await h.sync('linear', { credentials: { api_key: 'lin_api_wrong' } });
    expect(result.error).toMatch(
      /^linear\.issues: page 1: HTTP 400 from POST .*Authentication required, not authenticated/,
    );
    expect(await snapshot(h.db, 'linear')).toEqual(before);
  });

  it('fails cleanly on a malformed page', async () => {
    const before = await snapshot(h.db, 'linear');
    h.sandboxes.linear.failNext({ match: /graphql/, body: '{"data": {"teams": ' });
    const result = await h.sync('linear', { resources: ['teams'] });
    expect(result.error).toMatch(/^linear\.teams: malformed JSON in page 1 from POST/);
    expect(await snapshot(h.db, 'linear')).toEqual(before);
  });
});
