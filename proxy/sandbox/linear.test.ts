// Linear sandbox over real HTTP: API-key auth, Relay paging, updatedAt filters, mutations, GraphQL errors, 429s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../worker/sample/dataset.ts';
import { ManualClock } from '../../worker/testing.ts';
import { serveSandboxes, type ServedSandboxes } from './test-server.ts';

const dataset = generateDataset();
const clock = new ManualClock(Date.UTC(2026, 0, 2, 15));
const KEY = 'lin_api_dinobase_sandbox';
let served: ServedSandboxes;
let base: string;

type Gql = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};
type Conn = {
  nodes: Record<string, unknown>[];
  edges?: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null; hasPreviousPage: boolean };
};

async function gql(query: string, variables?: Record<string, unknown>, authorization: string | null = KEY) {
  const res = await fetch(`${base}/linear/graphql`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(authorization === null ? {} : { Authorization: authorization }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { res, body: (await res.json()) as Gql };
}

const ISSUES = `query Issues($first: Int, $after: String, $filter: IssueFilter, $orderBy: PaginationOrderBy) {
  issues(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    nodes { id identifier title updatedAt createdAt priority priorityLabel state { id name type } team { id key name }
            assignee { id name } project { id name } labels { nodes { id name } } completedAt dueDate url }
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
  }
}`;

async function walkIssues(variables: Record<string, unknown>) {
  const nodes: Record<string, unknown>[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const { res, body } = await gql(ISSUES, { ...variables, after });
    expect(res.status).toBe(200);
    const conn = body.data?.issues as Conn;
    nodes.push(...conn.nodes);
    pages++;
    if (!conn.pageInfo.hasNextPage) return { nodes, pages };
    after = conn.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  served = await serveSandboxes({ dataset, now: () => clock.now() });
  base = served.base;
});
afterAll(() => served.close());

describe('auth', () => {
  it.each([
    ['missing', null],
    ['wrong', 'lin_api_wrong'],
  ])('answers a %s key with Linear’s HTTP 400 authentication error', async (_label, key) => {
    const { res, body } = await gql('{ viewer { id } }', undefined, key);
    expect(res.status).toBe(400);
    expect(body).toEqual({
      errors: [
        {
          message: 'Authentication required, not authenticated',
          extensions: {
            type: 'authentication error',
            code: 'AUTHENTICATION_ERROR',
            statusCode: 401,
            userPresentableMessage: 'You need to authenticate to access this operation.',
          },
        },
      ],
    });
  });

  it('accepts the bare key and the Bearer form', async () => {
    for (const key of [KEY, `Bearer ${KEY}`]) {
      const { res, body } = await gql('{ viewer { id email admin } }', undefined, key);
      expect(res.status).toBe(200);
      expect((body.data?.viewer as { admin: boolean }).admin).toBe(true);
    }
  });
});

describe('queries', () => {
  it('walks every issue exactly once via endCursor, ascending by createdAt', async () => {
    const { nodes, pages } = await walkIssues({ first: 40 });
    expect(pages).toBe(Math.ceil(dataset.linear.issues.length / 40));
    expect(nodes.map((n) => n.id).sort()).toEqual(dataset.linear.issues.map((i) => i.id).sort());
    const created = nodes.map((n) => String(n.createdAt));
    expect(created).toEqual([...created].sort());
    const first = nodes[0] as { team: { name: string }; state: { type: string } };
    expect(first.team.name).toBeTruthy();
    expect(first.state.type).toMatch(/^(backlog|unstarted|started|completed|canceled)$/);
  });

  it('defaults to 50 nodes, allows 250 and rejects 251', async () => {
    const d = await gql('{ issues { nodes { id } edges { cursor node { id } } pageInfo { hasNextPage } } }');
    const conn = d.body.data?.issues as Conn;
    expect(conn.nodes).toHaveLength(50);
    expect(conn.edges?.map((e) => e.node.id)).toEqual(conn.nodes.map((n) => n.id));
    expect(conn.pageInfo.hasNextPage).toBe(true);
    expect(
      ((await gql('{ issues(first: 250) { nodes { id } } }')).body.data?.issues as Conn).nodes,
    ).toHaveLength(dataset.linear.issues.length);
    const tooMany = await gql('{ issues(first: 251) { nodes { id } } }');
    expect(tooMany.res.status).toBe(400);
    expect(tooMany.body.data).toBeNull();
    expect(tooMany.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('reports unknown fields as GraphQL validation errors with HTTP 400', async () => {
    const { res, body } = await gql('{ issues { nodes { id bogus } } }');
    expect(res.status).toBe(400);
    expect(body.errors?.[0]?.message).toBe('Cannot query field "bogus" on type "Issue".');
    expect(body.data).toBeUndefined();
  });

  it('serves teams, users, projects and single issues by id or identifier', async () => {
    const { body } = await gql(
      '{ teams { nodes { id key states { nodes { name type } } } } users(first: 100) { nodes { id } } projects { nodes { id lead { id } } } }',
    );
    const teams = (body.data?.teams as Conn).nodes as { key: string; states: Conn }[];
    expect(teams.map((t) => t.key).sort()).toEqual(dataset.linear.teams.map((t) => t.key).sort());
    expect(teams.every((t) => t.states.nodes.length === 5)).toBe(true);
    expect((body.data?.users as Conn).nodes).toHaveLength(dataset.linear.users.length);
    expect((body.data?.projects as Conn).nodes).toHaveLength(dataset.linear.projects.length);
    const target = dataset.linear.issues[3];
    for (const id of [target?.id, target?.identifier]) {
      const one = await gql('query($id: String!) { issue(id: $id) { id identifier } }', { id });
      expect(one.body.data?.issue).toEqual({ id: target?.id, identifier: target?.identifier });
    }
    const missing = await gql('{ issue(id: "nope") { id } }');
    expect(missing.res.status).toBe(400);
    expect(missing.body.errors?.[0]?.message).toBe('Entity not found: Issue');
  });
});

describe('mutations and incremental sync', () => {
  it('issueUpdate bumps updatedAt so an updatedAt.gt filter returns exactly that issue', async () => {
    const cursor = new Date(clock.now()).toISOString();
    const byUpdated = { orderBy: 'updatedAt', filter: { updatedAt: { gt: cursor } } };
    expect((await walkIssues(byUpdated)).nodes).toHaveLength(0);
    const target = dataset.linear.issues.find((i) => i.state.type !== 'completed');
    const done = [...served.sandboxes.linear.store.states.values()].find(
      (s) => s.teamId === target?.team.id && s.type === 'completed',
    );
    clock.advance(120_000);
    const { body } = await gql(
      `mutation($id: String!, $input: IssueUpdateInput!) {
        issueUpdate(id: $id, input: $input) { success lastSyncId issue { id title updatedAt completedAt priorityLabel state { type } } }
      }`,
      { id: target?.id, input: { title: 'Ship it', stateId: done?.id, priority: 1 } },
    );
    const nowIso = new Date(clock.now()).toISOString();
    expect(body.data?.issueUpdate).toMatchObject({
      success: true,
      issue: {
        id: target?.id,
        title: 'Ship it',
        updatedAt: nowIso,
        completedAt: nowIso,
        priorityLabel: 'Urgent',
        state: { type: 'completed' },
      },
    });
    const changed = await walkIssues(byUpdated);
    expect(changed.nodes.map((n) => n.id)).toEqual([target?.id]);
    const relative = await walkIssues({ filter: { updatedAt: { gte: '-PT5M' } } });
    expect(relative.nodes.map((n) => n.id)).toEqual([target?.id]);
    expect(dataset.linear.issues.find((i) => i.id === target?.id)?.title).not.toBe('Ship it');
  });

  it('issueCreate adds an issue with the next team number', async () => {
    const team = dataset.linear.teams[0];
    const label = dataset.linear.issues.flatMap((i) => i.labels.nodes)[0];
    const max = Math.max(...dataset.linear.issues.filter((i) => i.team.id === team?.id).map((i) => i.number));
    clock.advance(1000);
    const { body } = await gql(
      `mutation($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier number createdAt state { name } labels { nodes { name } } } } }`,
      { input: { teamId: team?.id, title: 'Fresh bug', labelIds: [label?.id] } },
    );
    const created = (body.data?.issueCreate as { issue: Record<string, unknown> }).issue;
    expect(created).toMatchObject({
      identifier: `${team?.key}-${max + 1}`,
      number: max + 1,
      createdAt: new Date(clock.now()).toISOString(),
      state: { name: 'Todo' },
      labels: { nodes: [{ name: label?.name }] },
    });
    const all = await walkIssues({ first: 250 });
    expect(all.nodes.at(-1)?.id).toBe(created.id);
    const bad = await gql('mutation { issueCreate(input: { teamId: "nope", title: "x" }) { success } }');
    expect(bad.res.status).toBe(400);
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('rate limits and faults', () => {
  it('returns Linear’s RATELIMITED error with Retry-After from bursts and a real window', async () => {
    served.sandboxes.linear.rateLimitBurst(1, 4);
    const burst = await gql('{ viewer { id } }');
    expect(burst.res.status).toBe(429);
    expect(burst.res.headers.get('Retry-After')).toBe('4');
    expect(burst.body.errors?.[0]).toMatchObject({
      message: 'Rate limit exceeded',
      extensions: { code: 'RATELIMITED', type: 'ratelimit error' },
    });
    const c2 = new ManualClock(Date.UTC(2026, 0, 3));
    const small = await serveSandboxes({
      dataset,
      now: () => c2.now(),
      rateLimit: { requests: 1, perSeconds: 30 },
    });
    try {
      const hit = () =>
        fetch(`${small.base}/linear/graphql`, {
          method: 'POST',
          headers: { Authorization: KEY, 'Content-Type': 'application/json' },
          body: '{"query":"{ viewer { id } }"}',
        });
      expect((await hit()).status).toBe(200);
      c2.advance(10_500);
      const limited = await hit();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('Retry-After')).toBe('20');
      c2.advance(19_500);
      expect((await hit()).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('failNext with afterMatches fails the second page of a walk', async () => {
    served.sandboxes.linear.failNext({
      match: /^\/graphql$/,
      status: 503,
      body: '{"errors":[{"message":"down"}]}',
      afterMatches: 1,
    });
    const page1 = await gql(ISSUES, { first: 10 });
    expect(page1.res.status).toBe(200);
    const page2 = await gql(ISSUES, {
      first: 10,
      after: (page1.body.data?.issues as Conn).pageInfo.endCursor,
    });
    expect(page2.res.status).toBe(503);
    expect(page2.body).toEqual({ errors: [{ message: 'down' }] });
    expect(served.sandboxes.linear.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/graphql',
      status: 503,
    });
  });
});
