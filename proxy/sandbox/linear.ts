// Fake Linear GraphQL API (api.linear.app/graphql): schema subset via graphql-js, API-key auth, Linear's error shapes.
import { buildSchema, graphql, GraphQLError } from 'graphql';
import { Hono } from 'hono';
import type {
  LinearData,
  LinearIssue,
  LinearProject,
  LinearTeam,
  LinearUser,
} from '../../worker/sample/dataset.ts';
import { bearer, Control, IdSource, jsonResponse, type SandboxControl, controlHandle } from './control.ts';
import { connection, invalidInput, matchesFilter, type Filterable, type PageArgs } from './linear-query.ts';
import { LINEAR_SDL } from './linear-schema.ts';
import { LinearInputError, LinearStore, type IssueInput, type LinearState } from './linear-store.ts';

export { LinearStore, type IssueInput } from './linear-store.ts';

export interface LinearControl extends SandboxControl {
  readonly store: LinearStore;
  /** Same effect as the `issueUpdate` mutation (updatedAt moves to now). `id` may be a UUID or an identifier. */
  updateIssue(id: string, patch: IssueInput): LinearIssue;
}

export interface LinearSandboxOptions {
  data: LinearData;
  control: Control;
  apiKey: string;
  ids: IdSource;
}

type Args = PageArgs & { filter?: Record<string, unknown> | null };

const AUTH_ERROR = {
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
};
const RATE_LIMITED = {
  errors: [
    {
      message: 'Rate limit exceeded',
      extensions: {
        code: 'RATELIMITED',
        type: 'ratelimit error',
        userPresentableMessage: 'You have exceeded the rate limit for this API. Please try again later.',
      },
    },
  ],
};

const schema = buildSchema(LINEAR_SDL);

export function createLinearSandbox(options: LinearSandboxOptions): { app: Hono; control: LinearControl } {
  const { control, ids, apiKey } = options;
  const store = new LinearStore(options.data, ids);
  const app = new Hono();

  const guard = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof LinearInputError) throw invalidInput(error.message, error.userMessage);
      throw error;
    }
  };
  const page = <T extends { id: string; createdAt?: string; updatedAt?: string }, V>(
    items: Iterable<T>,
    args: PageArgs,
    view: (t: T) => V,
  ) => {
    const conn = connection(items, args);
    return {
      nodes: conn.nodes.map(view),
      edges: conn.edges.map((e) => ({ node: view(e.node), cursor: e.cursor })),
      pageInfo: conn.pageInfo,
    };
  };

  const filterable = (i: LinearIssue): Filterable => {
    const team = store.teams.get(i.team.id);
    const user = i.assignee ? store.users.get(i.assignee.id) : undefined;
    return {
      id: i.id,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      completedAt: i.completedAt,
      dueDate: i.dueDate,
      number: i.number,
      title: i.title,
      description: i.description,
      priority: i.priority,
      estimate: i.estimate,
      state: { ...i.state },
      team: { id: i.team.id, key: i.team.key, name: team?.name ?? null },
      assignee: i.assignee ? { id: i.assignee.id, name: i.assignee.name, email: user?.email ?? null } : null,
      project: i.project ? { ...i.project } : null,
      labels: i.labels.nodes.map((l) => ({ ...l })),
    };
  };
  const issuePage = (issues: Iterable<LinearIssue>, args: Args) => {
    const filter = args.filter ?? {};
    const now = control.now();
    const hits = [...issues].filter((i) => matchesFilter(filterable(i), filter, now));
    return page(hits, args, issueView);
  };
  const issuesWhere = (test: (i: LinearIssue) => boolean) => [...store.issues.values()].filter(test);

  const userView = (u: LinearUser) => ({
    ...u,
    archivedAt: null,
    assignedIssues: (args: Args) =>
      issuePage(
        issuesWhere((i) => i.assignee?.id === u.id),
        args,
      ),
  });
  const teamView = (t: LinearTeam) => ({
    ...t,
    archivedAt: null,
    states: (args: PageArgs) => page(statesOf(t.id), args, stateView),
    issues: (args: Args) =>
      issuePage(
        issuesWhere((i) => i.team.id === t.id),
        args,
      ),
  });
  const statesOf = (teamId: string) => [...store.states.values()].filter((s) => s.teamId === teamId);
  const stateView = (s: LinearState) => ({
    ...s,
    archivedAt: null,
    team: () => teamView(store.teams.get(s.teamId) as LinearTeam),
  });
  const projectView = (p: LinearProject) => ({
    ...p,
    archivedAt: null,
    lead: () => (p.lead ? userOrNull(p.lead.id) : null),
    issues: (args: Args) =>
      issuePage(
        issuesWhere((i) => i.project?.id === p.id),
        args,
      ),
  });
  const userOrNull = (id: string) => {
    const u = store.users.get(id);
    return u ? userView(u) : null;
  };
  function issueView(i: LinearIssue) {
    return {
      ...i,
      archivedAt: null,
      state: () => {
        const s = store.states.get(i.state.id);
        return s
          ? stateView(s)
          : {
              ...i.state,
              color: '#e2e2e2',
              position: 0,
              team: () => teamView(store.teams.get(i.team.id) as LinearTeam),
              createdAt: i.createdAt,
              updatedAt: i.createdAt,
              archivedAt: null,
            };
      },
      team: () => teamView(store.teams.get(i.team.id) as LinearTeam),
      assignee: () => (i.assignee ? userOrNull(i.assignee.id) : null),
      project: () => {
        const p = i.project ? store.projects.get(i.project.id) : undefined;
        return p ? projectView(p) : null;
      },
      labels: (args: PageArgs) => page(i.labels.nodes, args, (l) => l),
    };
  }
  const found = <T>(value: T | undefined, entity: string): T => {
    if (value === undefined)
      throw invalidInput(`Entity not found: ${entity}`, `Could not find referenced ${entity}.`);
    return value;
  };
  const payload = (issue: LinearIssue) => ({
    success: true,
    issue: issueView(issue),
    lastSyncId: store.lastSyncId,
  });

  const root = {
    issues: (args: Args) => issuePage(store.issues.values(), args),
    issue: ({ id }: { id: string }) => issueView(found(store.findIssue(id), 'Issue')),
    teams: (args: PageArgs) => page(store.teams.values(), args, teamView),
    team: ({ id }: { id: string }) => teamView(found(store.teams.get(id), 'Team')),
    users: (args: PageArgs) => page(store.users.values(), args, userView),
    user: ({ id }: { id: string }) => userView(found(store.users.get(id), 'User')),
    projects: (args: PageArgs) => page(store.projects.values(), args, projectView),
    project: ({ id }: { id: string }) => projectView(found(store.projects.get(id), 'Project')),
    workflowStates: (args: PageArgs) => page(store.states.values(), args, stateView),
    issueLabels: (args: PageArgs) => page(store.labels.values(), args, (l) => l),
    viewer: () => userView(store.viewer),
    issueCreate: ({ input }: { input: IssueInput }) =>
      guard(() => payload(store.createIssue(input, control.now()))),
    issueUpdate: ({ id, input }: { id: string; input: IssueInput }) =>
      guard(() => payload(store.updateIssue(id, input, control.now()))),
  };

  const rateLimited = (retryAfter: number) =>
    jsonResponse(RATE_LIMITED, 429, { 'Retry-After': String(retryAfter) });
  app.use(
    '*',
    control.middleware((_c, retryAfter) => rateLimited(retryAfter)),
  );

  app.post('/graphql', async (c) => {
    const header = c.req.header('Authorization');
    // Personal API keys are sent bare; OAuth tokens use the Bearer scheme.
    const key = header === undefined ? null : (bearer(header) ?? header.trim());
    if (key !== apiKey) return jsonResponse(AUTH_ERROR, 400);
    const admission = control.admit(key);
    const limitHeaders = {
      'X-RateLimit-Requests-Limit': String(admission.limit),
      'X-RateLimit-Requests-Remaining': String(admission.remaining),
      'X-RateLimit-Requests-Reset': String(admission.resetAt),
    };
    if (!admission.allowed) return rateLimited(admission.retryAfter);
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return jsonResponse({ errors: [{ message: 'Invalid JSON in request body.' }] }, 400, limitHeaders);
    }
    const req = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof req.query !== 'string' || req.query.trim() === '') {
      return jsonResponse({ errors: [{ message: 'Must provide query string.' }] }, 400, limitHeaders);
    }
    const variables = req.variables;
    const result = await graphql({
      schema,
      source: req.query,
      rootValue: root,
      variableValues:
        typeof variables === 'object' && variables !== null
          ? (variables as Record<string, unknown>)
          : undefined,
      operationName: typeof req.operationName === 'string' ? req.operationName : undefined,
    });
    const failed = result.errors !== undefined && (result.data === undefined || result.data === null);
    if (result.errors && result.data === undefined) {
      // Requests rejected before execution carry Linear's (Apollo's) error codes.
      const errors = result.errors.map((e) => ({
        ...e.toJSON(),
        extensions: {
          code: e.message.startsWith('Syntax Error')
            ? 'GRAPHQL_PARSE_FAILED'
            : e.message.startsWith('Variable')
              ? 'BAD_USER_INPUT'
              : 'GRAPHQL_VALIDATION_FAILED',
          type: 'graphql error',
          userError: true,
        },
      }));
      return jsonResponse({ errors }, 400, limitHeaders);
    }
    return jsonResponse(result, failed ? 400 : 200, limitHeaders);
  });

  app.all('*', () => jsonResponse({ errors: [{ message: 'Not Found' }] }, 404));
  app.onError((error) => {
    console.error(error);
    return jsonResponse(
      { errors: [{ message: error instanceof GraphQLError ? error.message : 'Internal error' }] },
      500,
    );
  });

  const linearControl = controlHandle<LinearControl>(control, {
    store,
    updateIssue: (id, patch) => store.updateIssue(id, patch, control.now()),
  });
  return { app, control: linearControl };
}
