// GitHub sandbox over real HTTP: auth, Link-header paging, since/state filters, PATCH, 429s, faults, OpenAPI schemas.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../worker/sample/dataset.ts';
import { checkSchema, type OpenApiDocument } from '../../worker/sample/openapi-check.ts';
import { ManualClock } from '../../worker/testing.ts';
import { serveSandboxes, type ServedSandboxes } from './test-server.ts';

const dataset = generateDataset();
const clock = new ManualClock(Date.UTC(2026, 0, 2, 9));
const TOKEN = 'ghp_dinobaseSandbox';
const auth = { Authorization: `Bearer ${TOKEN}` };
const REPO = dataset.github.repos[0]?.full_name ?? '';
let served: ServedSandboxes;
let base: string;

type Issue = {
  id: number;
  number: number;
  state: string;
  updated_at: string;
  closed_at: string | null;
  pull_request?: object;
};

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(path.startsWith('http') ? path : `${base}/github${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { res, body: (await res.json()) as unknown };
}

/** Parses RFC 5988 Link into rel -> URL. */
function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/<([^>]+)>; rel="(\w+)"/g)) out[m[2] as string] = m[1] as string;
  return out;
}

async function walk<T>(first: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let url: string | undefined = first;
  let pages = 0;
  while (url) {
    const { res, body } = await call('GET', url);
    expect(res.status).toBe(200);
    items.push(...(body as T[]));
    pages++;
    url = links(res.headers.get('Link')).next;
  }
  return { items, pages };
}

beforeAll(async () => {
  served = await serveSandboxes({ dataset, now: () => clock.now() });
  base = served.base;
});
afterAll(() => served.close());

describe('auth and headers', () => {
  it('requires authentication on /user and rejects bad credentials', async () => {
    const missing = await call('GET', '/user', undefined, {});
    expect(missing.res.status).toBe(401);
    expect(missing.body).toEqual({
      message: 'Requires authentication',
      documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
      status: '401',
    });
    const wrong = await call('GET', '/user', undefined, { Authorization: 'token ghp_wrong' });
    expect(wrong.res.status).toBe(401);
    expect(wrong.body).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com',
      status: '401',
    });
    expect(wrong.res.headers.get('x-ratelimit-resource')).toBe('core');
  });

  it('sends GitHub’s rate-limit and version headers and hides private repos from anonymous callers', async () => {
    const { res } = await call('GET', '/user', undefined, { Authorization: `token ${TOKEN}` });
    expect(res.status).toBe(200);
    for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-used']) {
      expect(res.headers.get(h)).toMatch(/^\d+$/);
    }
    expect(res.headers.get('x-github-api-version-selected')).toBe('2022-11-28');
    expect(res.headers.get('x-github-request-id')).toBeTruthy();
    const priv = dataset.github.repos.find((r) => r.private);
    const pub = dataset.github.repos.find((r) => !r.private);
    expect((await call('GET', `/repos/${priv?.full_name}`, undefined, {})).res.status).toBe(404);
    expect((await call('GET', `/repos/${pub?.full_name}`, undefined, {})).res.status).toBe(200);
    const nf = await call('GET', '/repos/dinobase-demo/nope');
    expect(nf.body).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    });
  });
});

describe('paging', () => {
  it('follows absolute Link URLs through every issue (PRs included) exactly once', async () => {
    const first = await call('GET', `/repos/${REPO}/issues?state=all&per_page=10`);
    const rel = links(first.res.headers.get('Link'));
    expect(Object.keys(rel)).toEqual(['next', 'last']);
    expect(rel.next).toBe(`${base}/github/repos/${REPO}/issues?state=all&per_page=10&page=2`);
    const expected = dataset.github.issues.filter((i) => i.repository_url.endsWith(`/${REPO}`));
    expect(rel.last).toContain(`page=${Math.ceil(expected.length / 10)}`);
    const middle = await call('GET', `/repos/${REPO}/issues?state=all&per_page=10&page=2`);
    expect(Object.keys(links(middle.res.headers.get('Link')))).toEqual(['prev', 'next', 'last', 'first']);
    const { items, pages } = await walk<Issue>(`/repos/${REPO}/issues?state=all&per_page=10`);
    expect(pages).toBe(Math.ceil(expected.length / 10));
    expect(items.map((i) => i.id).sort()).toEqual(expected.map((i) => i.id).sort());
    expect(items.some((i) => i.pull_request)).toBe(true);
    const created = items.map((i) => i.id);
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it('defaults to open issues, 30 per page, clamps per_page to 100, and omits Link on a single page', async () => {
    const open = dataset.github.issues.filter(
      (i) => i.repository_url.endsWith(`/${REPO}`) && i.state === 'open',
    );
    const { items } = await walk<Issue>(`/repos/${REPO}/issues`);
    expect(items.every((i) => i.state === 'open')).toBe(true);
    expect(items).toHaveLength(open.length);
    const page = await call('GET', `/repos/${REPO}/issues?state=all`);
    expect((page.body as Issue[]).length).toBe(30);
    const big = await call('GET', `/repos/${REPO}/issues?state=all&per_page=500`);
    expect((big.body as Issue[]).length).toBe(
      Math.min(100, dataset.github.issues.filter((i) => i.repository_url.endsWith(`/${REPO}`)).length),
    );
    const repos = await call('GET', '/user/repos?per_page=100');
    expect(repos.res.headers.get('Link')).toBeNull();
    expect((repos.body as { full_name: string }[]).map((r) => r.full_name)).toEqual(
      dataset.github.repos.map((r) => r.full_name).sort(),
    );
    const pulls = await walk<{ number: number }>(`/repos/${REPO}/pulls?state=all&per_page=7`);
    expect(pulls.items).toHaveLength(
      dataset.github.pulls.filter((p) => p.base.repo.full_name === REPO).length,
    );
  });
});

describe('writes and incremental reads', () => {
  it('PATCH closes an issue and `since` then returns exactly it', async () => {
    const target = dataset.github.issues.find(
      (i) => i.repository_url.endsWith(`/${REPO}`) && i.state === 'open' && !i.pull_request,
    );
    const since = new Date(clock.now()).toISOString();
    expect(
      ((await call('GET', `/repos/${REPO}/issues?state=all&since=${since}`)).body as Issue[]).length,
    ).toBe(0);
    clock.advance(30_000);
    const { res, body } = await call('PATCH', `/repos/${REPO}/issues/${target?.number}`, {
      state: 'closed',
      state_reason: 'not_planned',
      labels: ['bug', 'wontfix'],
      assignees: [dataset.github.collaborators[0]?.login, 'not-a-collaborator'],
    });
    expect(res.status).toBe(200);
    const nowIso = new Date(clock.now()).toISOString().replace('.000', '');
    expect(body).toMatchObject({
      state: 'closed',
      state_reason: 'not_planned',
      closed_at: nowIso,
      updated_at: nowIso,
    });
    const patched = body as { labels: { name: string }[]; assignees: { login: string }[] };
    expect(patched.labels.map((l) => l.name)).toEqual(['bug', 'wontfix']);
    expect(patched.assignees.map((a) => a.login)).toEqual([dataset.github.collaborators[0]?.login]);
    const changed = (await call('GET', `/repos/${REPO}/issues?state=all&since=${since}`)).body as Issue[];
    expect(changed.map((i) => i.number)).toEqual([target?.number]);
    const reopened = await call('PATCH', `/repos/${REPO}/issues/${target?.number}`, { state: 'open' });
    expect(reopened.body).toMatchObject({ state: 'open', closed_at: null, state_reason: 'reopened' });
  });

  it('validates PATCH bodies with 422 and 404s unknown issues', async () => {
    const n = dataset.github.issues.find((i) => i.repository_url.endsWith(`/${REPO}`))?.number;
    const bad = await call('PATCH', `/repos/${REPO}/issues/${n}`, { state: 'finished' });
    expect(bad.res.status).toBe(422);
    expect(bad.body).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', code: 'invalid', field: 'state' }],
      documentation_url: 'https://docs.github.com/rest/issues/issues#update-an-issue',
      status: '422',
    });
    expect((await call('PATCH', `/repos/${REPO}/issues/99999`, { state: 'closed' })).res.status).toBe(404);
    expect((await call('PATCH', `/repos/${REPO}/issues/${n}`, { state: 'closed' }, {})).res.status).toBe(401);
  });
});

describe('creating issues', () => {
  it('POST creates the next-numbered open issue as the caller, 201 with Location, schema-valid', async () => {
    const numbers = [
      ...dataset.github.issues.filter((i) => i.repository_url.endsWith(`/${REPO}`)).map((i) => i.number),
    ];
    clock.advance(5_000);
    const { res, body } = await call('POST', `/repos/${REPO}/issues`, {
      title: 'Created through the API',
      body: 'Steps to reproduce',
      labels: ['bug', 'brand-new-label'],
      assignees: [dataset.github.collaborators[0]?.login, 'not-a-collaborator'],
    });
    expect(res.status).toBe(201);
    const created = body as Issue & { title: string; user: { login: string }; labels: { name: string }[] };
    expect(created).toMatchObject({
      number: Math.max(...numbers) + 1,
      state: 'open',
      title: 'Created through the API',
      closed_at: null,
      updated_at: new Date(clock.now()).toISOString().replace('.000', ''),
    });
    expect(created.user.login).toBe(dataset.github.user.login);
    expect(created.labels.map((l) => l.name)).toEqual(['bug', 'brand-new-label']);
    expect(res.headers.get('Location')).toBe(`https://api.github.com/repos/${REPO}/issues/${created.number}`);
    expect((await call('GET', `/repos/${REPO}/issues/${created.number}`)).body).toEqual(created);
    const specPath = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    const doc = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApiDocument;
    expect(checkSchema(doc, created, { $ref: '#/components/schemas/issue' }, 'created')).toEqual([]);
  });

  it('requires a title (422 missing_field) and authentication', async () => {
    const missing = await call('POST', `/repos/${REPO}/issues`, { body: 'no title' });
    expect(missing.res.status).toBe(422);
    expect(missing.body).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
      documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      status: '422',
    });
    expect((await call('POST', `/repos/${REPO}/issues`, { title: 'x' }, {})).res.status).toBe(401);
    expect((await call('POST', `/repos/${REPO}/nope/issues`, { title: 'x' })).res.status).toBe(404);
  });
});

describe('rate limits and faults', () => {
  it('answers secondary-rate-limit 429s from bursts and from a real window', async () => {
    served.sandboxes.github.rateLimitBurst(1, 60);
    const burst = await call('GET', '/user');
    expect(burst.res.status).toBe(429);
    expect(burst.res.headers.get('Retry-After')).toBe('60');
    expect(burst.body).toEqual({
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url:
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: '429',
    });
    const c2 = new ManualClock(Date.UTC(2026, 0, 3));
    const small = await serveSandboxes({
      dataset,
      now: () => c2.now(),
      rateLimit: { requests: 2, perSeconds: 60 },
    });
    try {
      const hit = () => fetch(`${small.base}/github/user`, { headers: auth });
      expect((await hit()).headers.get('x-ratelimit-remaining')).toBe('1');
      expect((await hit()).headers.get('x-ratelimit-used')).toBe('2');
      c2.advance(15_000);
      const limited = await hit();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('Retry-After')).toBe('45');
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      // Anonymous callers have their own budget.
      expect((await fetch(`${small.base}/github/repos/${REPO}`)).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('failNext matches a path and counts down', async () => {
    served.sandboxes.github.failNext({
      match: /\/pulls$/,
      status: 500,
      body: '{"message":"Server Error"}',
      count: 2,
    });
    expect((await call('GET', `/repos/${REPO}/pulls`)).res.status).toBe(500);
    expect((await call('GET', `/repos/${REPO}/issues`)).res.status).toBe(200);
    expect((await call('GET', `/repos/${REPO}/pulls`)).body).toEqual({ message: 'Server Error' });
    expect((await call('GET', `/repos/${REPO}/pulls`)).res.status).toBe(200);
  });
});

describe('OpenAPI fidelity', () => {
  it('serves responses that validate against GitHub’s own schemas', async () => {
    const specPath = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    const doc = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApiDocument;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const user = (await call('GET', '/user')).body;
    const repos = (await call('GET', '/user/repos?per_page=100')).body as unknown[];
    const repo = (await call('GET', `/repos/${REPO}`)).body;
    const issues = (await call('GET', `/repos/${REPO}/issues?state=all&per_page=100`)).body as unknown[];
    const pulls = (await call('GET', `/repos/${REPO}/pulls?state=all&per_page=100`)).body as unknown[];
    const n = (issues[0] as Issue).number;
    const patched = (
      await call('PATCH', `/repos/${REPO}/issues/${n}`, { title: 'Renamed', labels: ['brand-new'] })
    ).body;
    const single = (await call('GET', `/repos/${REPO}/issues/${n}`)).body;
    expect(single).toEqual(patched);
    const errors = [
      ...checkSchema(doc, user, ref('private-user'), 'user'),
      ...repos.flatMap((r, i) => checkSchema(doc, r, ref('repository'), `repos[${i}]`)),
      ...checkSchema(doc, repo, ref('full-repository'), 'repo'),
      ...issues.flatMap((x, i) => checkSchema(doc, x, ref('issue'), `issues[${i}]`)),
      ...pulls.flatMap((x, i) => checkSchema(doc, x, ref('pull-request-simple'), `pulls[${i}]`)),
      ...checkSchema(doc, patched, ref('issue'), 'patched'),
    ];
    expect(errors.slice(0, 20)).toEqual([]);
    expect(repos.length).toBe(dataset.github.repos.length);
    expect(issues.length).toBeGreaterThan(10);
    expect(pulls.length).toBeGreaterThan(5);
  });
});
