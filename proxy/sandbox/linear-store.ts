// The Linear sandbox's workspace: teams, users, projects, workflow states, labels and issues, with issue mutations.
import type {
  LinearData,
  LinearIssue,
  LinearProject,
  LinearStateType,
  LinearTeam,
  LinearUser,
} from '../../worker/sample/dataset.ts';
import type { IdSource } from './control.ts';

export interface LinearState {
  id: string;
  name: string;
  type: LinearStateType;
  color: string;
  position: number;
  teamId: string;
  createdAt: string;
  updatedAt: string;
}

export interface LinearLabel {
  id: string;
  name: string;
}

export interface IssueInput {
  id?: string | null;
  title?: string | null;
  description?: string | null;
  teamId?: string | null;
  priority?: number | null;
  estimate?: number | null;
  stateId?: string | null;
  assigneeId?: string | null;
  projectId?: string | null;
  labelIds?: string[] | null;
  dueDate?: string | null;
}

/** A mutation input Linear would refuse (surfaces as an INVALID_INPUT GraphQL error). */
export class LinearInputError extends Error {
  constructor(
    message: string,
    readonly userMessage: string,
  ) {
    super(message);
  }
}

const STATE_KINDS: readonly (readonly [string, LinearStateType, string])[] = [
  ['Backlog', 'backlog', '#bec2c8'],
  ['Todo', 'unstarted', '#e2e2e2'],
  ['In Progress', 'started', '#f2c94c'],
  ['Done', 'completed', '#5e6ad2'],
  ['Canceled', 'canceled', '#95a2b3'],
];
const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low'];

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
const notFound = (entity: string) =>
  new LinearInputError(`Entity not found: ${entity}`, `Could not find referenced ${entity}.`);

export class LinearStore {
  readonly teams = new Map<string, LinearTeam>();
  readonly users = new Map<string, LinearUser>();
  readonly projects = new Map<string, LinearProject>();
  readonly states = new Map<string, LinearState>();
  readonly labels = new Map<string, LinearLabel>();
  readonly issues = new Map<string, LinearIssue>();
  lastSyncId = 184_220_000;

  constructor(
    data: LinearData,
    private readonly ids: IdSource,
  ) {
    for (const t of data.teams) this.teams.set(t.id, t);
    for (const u of data.users) this.users.set(u.id, u);
    for (const p of data.projects) this.projects.set(p.id, p);
    for (const i of data.issues) {
      this.issues.set(i.id, i);
      for (const l of i.labels.nodes) this.labels.set(l.id, { id: l.id, name: l.name });
    }
    for (const team of data.teams) {
      const seen = data.issues.filter((i) => i.team.id === team.id).map((i) => i.state);
      STATE_KINDS.forEach(([name, type, color], position) => {
        // States no issue uses yet still exist in every team's workflow.
        const id = seen.find((s) => s.name === name && s.type === type)?.id ?? ids.uuid();
        this.states.set(id, {
          id,
          name,
          type,
          color,
          position,
          teamId: team.id,
          createdAt: team.createdAt,
          updatedAt: team.createdAt,
        });
      });
    }
  }

  /** The API key's owner: the workspace's first admin. */
  get viewer(): LinearUser {
    const users = [...this.users.values()];
    return users.find((u) => u.admin) ?? (users[0] as LinearUser);
  }

  /** By UUID or by identifier such as ENG-12, as Linear's `issue(id:)` accepts both. */
  findIssue(idOrIdentifier: string): LinearIssue | undefined {
    const byId = this.issues.get(idOrIdentifier);
    if (byId) return byId;
    const wanted = idOrIdentifier.toUpperCase();
    for (const issue of this.issues.values()) if (issue.identifier === wanted) return issue;
    return undefined;
  }

  createIssue(input: IssueInput, nowMs: number): LinearIssue {
    const team = this.teams.get(input.teamId ?? '');
    if (!team) throw notFound('Team');
    if (!input.title || input.title.trim() === '') {
      throw new LinearInputError('Argument Validation Error', 'title should not be empty.');
    }
    if (input.id && (this.issues.has(input.id) || !/^[0-9a-f-]{36}$/i.test(input.id))) {
      throw new LinearInputError('Argument Validation Error', 'id must be an unused UUID.');
    }
    const number = this.#nextNumber(team.id);
    const at = new Date(nowMs).toISOString();
    const todo = [...this.states.values()].find((s) => s.teamId === team.id && s.type === 'unstarted');
    const identifier = `${team.key}-${number}`;
    const base: LinearIssue = {
      id: input.id ?? this.ids.uuid(),
      identifier,
      number,
      title: input.title,
      description: null,
      priority: 0,
      priorityLabel: PRIORITY_LABELS[0] as string,
      estimate: null,
      state: { id: todo?.id ?? '', name: todo?.name ?? 'Todo', type: 'unstarted' },
      team: { id: team.id, key: team.key },
      assignee: null,
      project: null,
      labels: { nodes: [] },
      createdAt: at,
      updatedAt: at,
      completedAt: null,
      dueDate: null,
      url: `https://linear.app/dinobase-demo/issue/${identifier}/${slug(input.title)}`,
    };
    const issue = this.#apply(base, { ...input, teamId: undefined }, at);
    this.issues.set(issue.id, issue);
    this.lastSyncId++;
    return issue;
  }

  updateIssue(idOrIdentifier: string, input: IssueInput, nowMs: number): LinearIssue {
    const old = this.findIssue(idOrIdentifier);
    if (!old) throw notFound('Issue');
    if (input.title !== undefined && (input.title === null || input.title.trim() === '')) {
      throw new LinearInputError('Argument Validation Error', 'title should not be empty.');
    }
    const issue = this.#apply(old, input, new Date(nowMs).toISOString());
    this.issues.set(issue.id, issue);
    this.lastSyncId++;
    return issue;
  }

  #nextNumber(teamId: string): number {
    let max = 0;
    for (const i of this.issues.values()) if (i.team.id === teamId && i.number > max) max = i.number;
    return max + 1;
  }

  /** Returns an updated copy; the stored issue (and its shared nested objects) is never edited in place. */
  #apply(old: LinearIssue, input: IssueInput, at: string): LinearIssue {
    const next: LinearIssue = { ...old, updatedAt: at };
    if (input.teamId && input.teamId !== old.team.id) {
      const team = this.teams.get(input.teamId);
      if (!team) throw notFound('Team');
      next.team = { id: team.id, key: team.key };
      next.number = this.#nextNumber(team.id);
      next.identifier = `${team.key}-${next.number}`;
      const same = [...this.states.values()].find((s) => s.teamId === team.id && s.type === old.state.type);
      if (same) next.state = { id: same.id, name: same.name, type: same.type };
    }
    if (input.title != null) next.title = input.title;
    if (input.description !== undefined) next.description = input.description;
    if (input.priority != null) {
      if (!Number.isInteger(input.priority) || input.priority < 0 || input.priority > 4) {
        throw new LinearInputError('Argument Validation Error', 'priority must be between 0 and 4.');
      }
      next.priority = input.priority;
      next.priorityLabel = PRIORITY_LABELS[input.priority] as string;
    }
    if (input.estimate !== undefined) next.estimate = input.estimate;
    if (input.dueDate !== undefined) {
      if (input.dueDate !== null && !/^\d{4}-\d{2}-\d{2}$/.test(input.dueDate)) {
        throw new LinearInputError('Argument Validation Error', 'dueDate must be a date (YYYY-MM-DD).');
      }
      next.dueDate = input.dueDate;
    }
    if (input.stateId) {
      const state = this.states.get(input.stateId);
      if (!state || state.teamId !== next.team.id) throw notFound('WorkflowState');
      next.state = { id: state.id, name: state.name, type: state.type };
    }
    if (next.state.type !== old.state.type || next.state.id !== old.state.id) {
      next.completedAt = next.state.type === 'completed' ? at : null;
    }
    if (input.assigneeId !== undefined) {
      const user = input.assigneeId === null ? null : this.users.get(input.assigneeId);
      if (user === undefined) throw notFound('User');
      next.assignee = user ? { id: user.id, name: user.name } : null;
    }
    if (input.projectId !== undefined) {
      const project = input.projectId === null ? null : this.projects.get(input.projectId);
      if (project === undefined) throw notFound('Project');
      next.project = project ? { id: project.id, name: project.name } : null;
    }
    if (input.labelIds != null) {
      const nodes = input.labelIds.map((id) => {
        const label = this.labels.get(id);
        if (!label) throw notFound('IssueLabel');
        return { ...label };
      });
      next.labels = { nodes };
    }
    return next;
  }
}
