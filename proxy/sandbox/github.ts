// Fake GitHub REST API (api.github.com): user, repos, issues and pulls with Link paging, PATCH issue, GitHub's errors.
import { Hono, type Context } from 'hono';
import type { GithubData, GithubIssue, GithubPull, GithubRepo } from '../../worker/sample/dataset.ts';
import { bearer, Control, IdSource, jsonResponse, type SandboxControl, controlHandle } from './control.ts';
import {
  GithubStore,
  GithubValidationError,
  validateIssueCreate,
  validateIssuePatch,
  type IssuePatch,
} from './github-store.ts';

export { GithubStore, type IssuePatch } from './github-store.ts';

export interface GithubControl extends SandboxControl {
  readonly store: GithubStore;
  /** Same effect as `PATCH /repos/<fullName>/issues/<number>` (updated_at moves to now). */
  updateIssue(fullName: string, number: number, patch: IssuePatch): GithubIssue;
}

export interface GithubSandboxOptions {
  data: GithubData;
  control: Control;
  token: string;
  ids: IdSource;
}

export type GithubEnv = { Variables: { requestId: string; rateKey: string; authed: boolean } };
type Env = GithubEnv;

const DOCS = {
  root: 'https://docs.github.com/rest',
  user: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
  repos: 'https://docs.github.com/rest/repos/repos#list-repositories-for-the-authenticated-user',
  updateIssue: 'https://docs.github.com/rest/issues/issues#update-an-issue',
  createIssue: 'https://docs.github.com/rest/issues/issues#create-an-issue',
  listIssues: 'https://docs.github.com/rest/issues/issues#list-repository-issues',
  secondary: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
};

class GithubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = DOCS.root,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const body = (e: GithubError) => ({
  message: e.message,
  ...e.extra,
  documentation_url: e.documentationUrl,
  status: String(e.status),
});
const notFound = () => new GithubError(404, 'Not Found');
const timeOf = (iso: string) => Date.parse(iso);

function pageParams(c: Context<Env>): { perPage: number; page: number } {
  const perPage = Number.parseInt(c.req.query('per_page') ?? '', 10);
  const page = Number.parseInt(c.req.query('page') ?? '', 10);
  return {
    // GitHub clamps per_page to 100 rather than rejecting it.
    perPage: Number.isNaN(perPage) || perPage < 1 ? 30 : Math.min(perPage, 100),
    page: Number.isNaN(page) || page < 1 ? 1 : page,
  };
}

/** One page plus GitHub's RFC 5988 Link header, with absolute URLs built from the incoming request URL. */
function paginate<T>(c: Context<Env>, items: T[]): Response {
  const { perPage, page } = pageParams(c);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const url = (p: number) => {
    const u = new URL(c.req.url);
    u.searchParams.set('page', String(p));
    return u.toString();
  };
  const parts: string[] = [];
  if (last > 1) {
    if (page > 1) parts.push(`<${url(page - 1)}>; rel="prev"`);
    if (page < last) parts.push(`<${url(page + 1)}>; rel="next"`, `<${url(last)}>; rel="last"`);
    if (page > 1) parts.push(`<${url(1)}>; rel="first"`);
  }
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return jsonResponse(slice, 200, parts.length > 0 ? { Link: parts.join(', ') } : {});
}

function sorted<T>(
  items: T[],
  key: (item: T) => number | string,
  tie: (item: T) => number,
  asc: boolean,
): T[] {
  const dir = asc ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * dir || (tie(a) - tie(b)) * dir;
  });
}

export function createGithubSandbox(options: GithubSandboxOptions): {
  app: Hono<Env>;
  control: GithubControl;
} {
  const { control, ids, token } = options;
  const store = new GithubStore(options.data);
  const app = new Hono<Env>();

  const rateLimited = (retryAfter: number) =>
    jsonResponse(
      body(
        new GithubError(
          429,
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          DOCS.secondary,
        ),
      ),
      429,
      { 'Retry-After': String(retryAfter) },
    );
  const requireAuth = (c: Context<Env>, docs: string) => {
    if (!c.get('authed')) throw new GithubError(401, 'Requires authentication', docs);
  };
  const visibleRepo = (c: Context<Env>): GithubRepo => {
    const repo = store.repo(`${c.req.param('owner')}/${c.req.param('repo')}`);
    if (!repo || (repo.private && !c.get('authed'))) throw notFound();
    return repo;
  };

  app.use('*', async (c, next) => {
    const hex = () => ids.chars(4, '0123456789ABCDEF');
    c.set('requestId', `${hex()}:${hex()}${hex()}:${hex()}${hex()}:${hex()}${hex()}:${hex()}${hex()}`);
    c.set('rateKey', 'anonymous');
    c.set('authed', false);
    await next();
    const h = c.res.headers;
    const state = control.peek(c.get('rateKey'));
    h.set('x-github-api-version-selected', '2022-11-28');
    h.set('x-github-request-id', c.get('requestId'));
    h.set('x-ratelimit-limit', String(state.limit));
    h.set('x-ratelimit-remaining', String(c.res.status === 429 ? 0 : state.remaining));
    h.set('x-ratelimit-reset', String(Math.ceil(state.resetAt / 1000)));
    h.set('x-ratelimit-used', String(state.used));
    h.set('x-ratelimit-resource', 'core');
  });
  app.use(
    '*',
    control.middleware((_c, retryAfter) => rateLimited(retryAfter)),
  );
  app.use('*', async (c, next) => {
    const header = c.req.header('Authorization');
    if (header !== undefined) {
      if (bearer(header, ['bearer', 'token']) !== token) {
        return jsonResponse(body(new GithubError(401, 'Bad credentials', 'https://docs.github.com')), 401);
      }
      c.set('rateKey', token);
      c.set('authed', true);
    }
    const admission = control.admit(c.get('rateKey'));
    if (!admission.allowed) return rateLimited(admission.retryAfter);
    await next();
  });

  app.get('/user', (c) => {
    requireAuth(c, DOCS.user);
    return c.json(store.privateUser());
  });

  app.get('/user/repos', (c) => {
    requireAuth(c, DOCS.repos);
    const type = c.req.query('type');
    const visibility = c.req.query('visibility') ?? 'all';
    const affiliation = (c.req.query('affiliation') ?? 'owner,collaborator,organization_member').split(',');
    if (
      type !== undefined &&
      (c.req.query('visibility') !== undefined || c.req.query('affiliation') !== undefined)
    ) {
      throw new GithubError(
        422,
        'If you specify visibility or affiliation, you cannot specify type.',
        DOCS.repos,
      );
    }
    const since = c.req.query('since');
    const before = c.req.query('before');
    // Every repository here belongs to the authenticated user, so only "owner" affiliation selects any.
    let repos = affiliation.includes('owner') && type !== 'member' ? store.repos() : [];
    if (visibility !== 'all' || type === 'public' || type === 'private') {
      const want = type === 'public' || type === 'private' ? type : visibility;
      repos = repos.filter((r) => r.visibility === want);
    }
    if (since) repos = repos.filter((r) => timeOf(r.updated_at) > timeOf(since));
    if (before) repos = repos.filter((r) => timeOf(r.updated_at) < timeOf(before));
    const sort = c.req.query('sort') ?? 'full_name';
    const asc = (c.req.query('direction') ?? (sort === 'full_name' ? 'asc' : 'desc')) === 'asc';
    const key = (r: GithubRepo) =>
      sort === 'created'
        ? r.created_at
        : sort === 'updated'
          ? r.updated_at
          : sort === 'pushed'
            ? r.pushed_at
            : r.full_name.toLowerCase();
    return paginate(
      c,
      sorted(repos, key, (r) => r.id, asc),
    );
  });

  app.get('/repos/:owner/:repo', (c) => c.json(store.fullRepository(visibleRepo(c))));

  app.get('/repos/:owner/:repo/issues', (c) => {
    const repo = visibleRepo(c);
    const state = c.req.query('state') ?? 'open';
    const since = c.req.query('since');
    if (since !== undefined && Number.isNaN(timeOf(since))) {
      throw new GithubError(422, 'Validation Failed', DOCS.listIssues, {
        errors: [{ resource: 'Issue', code: 'invalid', field: 'since' }],
      });
    }
    const labels =
      c.req
        .query('labels')
        ?.split(',')
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean) ?? [];
    const assignee = c.req.query('assignee');
    const creator = c.req.query('creator')?.toLowerCase();
    const milestone = c.req.query('milestone');
    const issues = store
      .issues(repo.full_name)
      .filter(
        (i) =>
          (state === 'all' || i.state === state) &&
          (since === undefined || timeOf(i.updated_at) >= timeOf(since)) &&
          labels.every((l) => i.labels.some((x) => x.name.toLowerCase() === l)) &&
          (assignee === undefined ||
            (assignee === 'none'
              ? i.assignees.length === 0
              : assignee === '*'
                ? i.assignees.length > 0
                : i.assignees.some((a) => a.login.toLowerCase() === assignee.toLowerCase()))) &&
          (creator === undefined || i.user.login.toLowerCase() === creator) &&
          (milestone === undefined || milestone === 'none'),
      );
    const sort = c.req.query('sort') ?? 'created';
    const asc = c.req.query('direction') === 'asc';
    const key = (i: GithubIssue) =>
      sort === 'updated' ? timeOf(i.updated_at) : sort === 'comments' ? i.comments : timeOf(i.created_at);
    return paginate(
      c,
      sorted(issues, key, (i) => i.id, asc),
    );
  });

  app.post('/repos/:owner/:repo/issues', async (c) => {
    requireAuth(c, DOCS.createIssue);
    const repo = visibleRepo(c);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await c.req.text());
    } catch {
      throw new GithubError(400, 'Problems parsing JSON', DOCS.createIssue);
    }
    let input;
    try {
      input = validateIssueCreate(parsed);
    } catch (error) {
      if (error instanceof GithubValidationError) {
        throw new GithubError(422, 'Validation Failed', DOCS.createIssue, { errors: error.errors });
      }
      throw error;
    }
    const issue = store.createIssue(repo.full_name, input, control.now());
    if (!issue) throw notFound();
    return jsonResponse(issue, 201, { Location: issue.url });
  });

  app.get('/repos/:owner/:repo/issues/:number', (c) => {
    const repo = visibleRepo(c);
    const issue = store.issue(repo.full_name, Number(c.req.param('number')));
    if (!issue) throw notFound();
    return c.json(issue);
  });

  app.patch('/repos/:owner/:repo/issues/:number', async (c) => {
    requireAuth(c, DOCS.updateIssue);
    const repo = visibleRepo(c);
    const number = Number(c.req.param('number'));
    if (!store.issue(repo.full_name, number)) throw notFound();
    let parsed: unknown;
    try {
      parsed = JSON.parse(await c.req.text());
    } catch {
      throw new GithubError(400, 'Problems parsing JSON', DOCS.updateIssue);
    }
    const patch = validateIssuePatch(parsed);
    return c.json(store.updateIssue(repo.full_name, number, patch, control.now()));
  });

  app.get('/repos/:owner/:repo/pulls', (c) => {
    const repo = visibleRepo(c);
    const state = c.req.query('state') ?? 'open';
    const head = c.req.query('head');
    const base = c.req.query('base');
    const pulls = store
      .pulls(repo.full_name)
      .filter(
        (p) =>
          (state === 'all' || p.state === state) &&
          (head === undefined || p.head.label === head) &&
          (base === undefined || p.base.ref === base),
      );
    const sort = c.req.query('sort') ?? 'created';
    const asc = (c.req.query('direction') ?? (sort === 'created' ? 'desc' : 'asc')) === 'asc';
    const comments = (p: GithubPull) => store.issue(repo.full_name, p.number)?.comments ?? 0;
    const key = (p: GithubPull) =>
      sort === 'updated' ? timeOf(p.updated_at) : sort === 'popularity' ? comments(p) : timeOf(p.created_at);
    return paginate(
      c,
      sorted(pulls, key, (p) => p.id, sort === 'long-running' ? !asc : asc),
    );
  });

  app.all('*', () => {
    throw notFound();
  });
  app.onError((error) => {
    if (error instanceof GithubError) return jsonResponse(body(error), error.status);
    if (error instanceof GithubValidationError) {
      return jsonResponse(
        body(new GithubError(422, 'Validation Failed', DOCS.updateIssue, { errors: error.errors })),
        422,
      );
    }
    console.error(error);
    return jsonResponse(body(new GithubError(500, 'Server Error')), 500);
  });

  const githubControl = controlHandle<GithubControl>(control, {
    store,
    updateIssue: (fullName, number, patch) => {
      const updated = store.updateIssue(fullName, number, validateIssuePatch(patch), control.now());
      if (!updated) throw new Error(`No issue ${fullName}#${number}`);
      return updated;
    },
  });
  return { app, control: githubControl };
}
