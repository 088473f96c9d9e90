// The GitHub sandbox's store: the account, its repositories, issues (PRs included) and pulls, with issue updates.
import type {
  GithubData,
  GithubIssue,
  GithubLabel,
  GithubPull,
  GithubRepo,
  GithubSimpleUser,
} from '../../worker/sample/dataset.ts';

export interface IssuePatch {
  title?: string;
  body?: string | null;
  state?: 'open' | 'closed';
  state_reason?: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null;
  labels?: (string | { name: string })[];
  assignees?: string[];
  assignee?: string | null;
  milestone?: null;
}

/** A 422 "Validation Failed" entry, as GitHub lists them in `errors`. */
export interface GithubFieldError {
  resource: string;
  code: string;
  field: string;
}

export class GithubValidationError extends Error {
  constructor(readonly errors: GithubFieldError[]) {
    super('Validation Failed');
  }
}

const STATE_REASONS = ['completed', 'not_planned', 'reopened', 'duplicate', null];

/** ISO-8601 without milliseconds, as GitHub writes timestamps. */
export const isoSec = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Checks a PATCH body's fields (unknown fields are ignored, as GitHub does). */
export function validateIssuePatch(body: unknown): IssuePatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GithubValidationError([{ resource: 'Issue', code: 'invalid', field: 'body' }]);
  }
  const b = body as Record<string, unknown>;
  const errors: GithubFieldError[] = [];
  const bad = (field: string) => errors.push({ resource: 'Issue', code: 'invalid', field });
  if ('title' in b && (typeof b.title !== 'string' || b.title.trim() === '')) {
    if (b.title === null || b.title === '')
      errors.push({ resource: 'Issue', code: 'missing_field', field: 'title' });
    else if (typeof b.title !== 'number') bad('title');
  }
  if ('body' in b && b.body !== null && typeof b.body !== 'string') bad('body');
  if ('state' in b && b.state !== 'open' && b.state !== 'closed') bad('state');
  if ('state_reason' in b && !STATE_REASONS.includes(b.state_reason as string | null)) bad('state_reason');
  if (
    'labels' in b &&
    !(
      Array.isArray(b.labels) &&
      b.labels.every(
        (l) =>
          typeof l === 'string' ||
          (typeof l === 'object' && l !== null && typeof (l as { name?: unknown }).name === 'string'),
      )
    )
  ) {
    bad('labels');
  }
  if ('assignees' in b && !isStringArray(b.assignees)) bad('assignees');
  if ('assignee' in b && b.assignee !== null && typeof b.assignee !== 'string') bad('assignee');
  if ('milestone' in b && b.milestone !== null) bad('milestone');
  if (errors.length > 0) throw new GithubValidationError(errors);
  const patch = { ...b } as IssuePatch;
  if (typeof b.title === 'number') patch.title = String(b.title);
  return patch;
}

/** A create-issue body (`POST /repos/{owner}/{repo}/issues`) after validation. */
export interface IssueCreate {
  title: string;
  body?: string | null;
  labels?: (string | { name: string })[];
  assignees?: string[];
  assignee?: string | null;
}

/** Checks a create body like GitHub: `title` is required (a string or a number); unknown fields are ignored. */
export function validateIssueCreate(body: unknown): IssueCreate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GithubValidationError([{ resource: 'Issue', code: 'invalid', field: 'body' }]);
  }
  const b = body as Record<string, unknown>;
  if (b.title === undefined || b.title === null || b.title === '') {
    throw new GithubValidationError([{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
  }
  const { title: _title, ...rest } = b;
  const patch = validateIssuePatch({ ...rest, title: b.title });
  return { ...patch, title: patch.title as string };
}

export class GithubStore {
  readonly user: GithubSimpleUser;
  readonly collaborators: readonly GithubSimpleUser[];
  readonly #repos = new Map<string, GithubRepo>();
  readonly #issues = new Map<string, Map<number, GithubIssue>>();
  readonly #pulls = new Map<string, Map<number, GithubPull>>();
  readonly #labels = new Map<string, GithubLabel[]>();
  #labelId = 7_100_000_000;

  constructor(data: GithubData) {
    this.user = data.user;
    this.collaborators = data.collaborators;
    for (const repo of data.repos) {
      this.#repos.set(repo.full_name.toLowerCase(), repo);
      this.#issues.set(repo.full_name.toLowerCase(), new Map());
      this.#pulls.set(repo.full_name.toLowerCase(), new Map());
    }
    for (const issue of data.issues) {
      const key = issue.repository_url.split('/repos/')[1]?.toLowerCase() ?? '';
      this.#issues.get(key)?.set(issue.number, issue);
      const labels = this.#labels.get(key) ?? [];
      for (const l of issue.labels) if (!labels.some((x) => x.id === l.id)) labels.push(l);
      this.#labels.set(key, labels);
    }
    for (const pull of data.pulls)
      this.#pulls.get(pull.base.repo.full_name.toLowerCase())?.set(pull.number, pull);
  }

  /** Repositories in creation order. */
  repos(): GithubRepo[] {
    return [...this.#repos.values()];
  }

  repo(fullName: string): GithubRepo | undefined {
    return this.#repos.get(fullName.toLowerCase());
  }

  issues(fullName: string): GithubIssue[] {
    return [...(this.#issues.get(fullName.toLowerCase())?.values() ?? [])];
  }

  issue(fullName: string, number: number): GithubIssue | undefined {
    return this.#issues.get(fullName.toLowerCase())?.get(number);
  }

  pulls(fullName: string): GithubPull[] {
    return [...(this.#pulls.get(fullName.toLowerCase())?.values() ?? [])];
  }

  /** `GET /user`: the private-user view GitHub returns to the account itself. */
  privateUser(): Record<string, unknown> {
    const repos = this.repos();
    const privateRepos = repos.filter((r) => r.private).length;
    const first = repos.reduce(
      (m, r) => (r.created_at < m ? r.created_at : m),
      repos[0]?.created_at ?? isoSec(0),
    );
    return {
      ...this.user,
      user_view_type: 'private',
      company: null,
      blog: '',
      location: null,
      email: this.user.email ?? null,
      notification_email: null,
      hireable: null,
      bio: null,
      twitter_username: null,
      public_repos: repos.length - privateRepos,
      public_gists: 0,
      followers: this.collaborators.length,
      following: this.collaborators.length,
      created_at: isoSec(Date.parse(first) - 30 * 86_400_000),
      updated_at: repos.reduce((m, r) => (r.updated_at > m ? r.updated_at : m), first),
      private_gists: 0,
      total_private_repos: privateRepos,
      owned_private_repos: privateRepos,
      disk_usage: repos.reduce((sum, r) => sum + r.size, 0),
      collaborators: this.collaborators.length,
      two_factor_authentication: true,
      plan: { name: 'free', space: 976_562_499, collaborators: 0, private_repos: 10_000 },
    };
  }

  /** `GET /repos/{owner}/{repo}`: the full-repository view, with the merge settings admins see. */
  fullRepository(repo: GithubRepo): Record<string, unknown> {
    return {
      ...repo,
      allow_rebase_merge: true,
      allow_squash_merge: true,
      allow_merge_commit: true,
      allow_auto_merge: false,
      delete_branch_on_merge: false,
      allow_update_branch: false,
      use_squash_pr_title_as_default: false,
      temp_clone_token: repo.private ? '' : null,
      network_count: repo.forks_count,
      subscribers_count: Math.max(1, Math.round(repo.stargazers_count / 12)),
    };
  }

  /** Applies a validated PATCH like GitHub: replaces the issue (and its pull twin) with updated copies. */
  updateIssue(fullName: string, number: number, patch: IssuePatch, nowMs: number): GithubIssue | undefined {
    const key = fullName.toLowerCase();
    const old = this.issue(key, number);
    const repo = this.#repos.get(key);
    if (!old || !repo) return undefined;
    const now = isoSec(nowMs);
    const next: GithubIssue = { ...old, updated_at: now };
    if (patch.title !== undefined) next.title = patch.title;
    if (patch.body !== undefined) next.body = patch.body;
    const isPull = old.pull_request !== undefined;
    if (patch.state !== undefined && patch.state !== old.state) {
      next.state = patch.state;
      next.closed_at = patch.state === 'closed' ? now : null;
      if (!isPull)
        next.state_reason = patch.state === 'closed' ? (patch.state_reason ?? 'completed') : 'reopened';
    } else if (patch.state_reason !== undefined && !isPull && next.state === 'closed') {
      next.state_reason = patch.state_reason;
    }
    if (patch.labels !== undefined) {
      next.labels = patch.labels.map((l) => this.#label(key, repo, typeof l === 'string' ? l : l.name));
    }
    const assignable = new Map([this.user, ...this.collaborators].map((u) => [u.login.toLowerCase(), u]));
    const logins =
      patch.assignees ?? (patch.assignee === undefined ? undefined : patch.assignee ? [patch.assignee] : []);
    if (logins !== undefined) {
      // GitHub silently drops logins that cannot be assigned in the repository.
      const clean = logins.flatMap((l) => {
        const found = assignable.get(l.toLowerCase());
        if (!found) return [];
        const { name: _name, email: _email, ...simple } = found;
        return [simple];
      });
      next.assignees = clean;
      next.assignee = clean[0] ?? null;
    }
    this.#issues.get(key)?.set(number, next);
    if (next.state !== old.state) {
      const open = this.issues(key).filter((i) => i.state === 'open').length;
      this.#repos.set(key, { ...repo, open_issues: open, open_issues_count: open });
    }
    const pull = this.#pulls.get(key)?.get(number);
    if (pull) {
      this.#pulls.get(key)?.set(number, {
        ...pull,
        title: next.title,
        body: next.body,
        state: next.state,
        labels: next.labels,
        assignee: next.assignee,
        assignees: next.assignees,
        updated_at: next.updated_at,
        closed_at: next.closed_at,
      });
    }
    return next;
  }

  /**
   * Creates an issue as the authenticated user: the next number in the repository (issues and pulls share the
   * sequence), open, with labels created on the fly and unassignable logins dropped, as GitHub does.
   */
  createIssue(fullName: string, input: IssueCreate, nowMs: number): GithubIssue | undefined {
    const key = fullName.toLowerCase();
    const repo = this.#repos.get(key);
    const issues = this.#issues.get(key);
    if (!repo || !issues) return undefined;
    const numbers = [...issues.keys(), ...(this.#pulls.get(key)?.keys() ?? [])];
    const number = Math.max(0, ...numbers) + 1;
    let id = 0;
    for (const list of this.#issues.values()) for (const i of list.values()) id = Math.max(id, i.id);
    id += 1;
    const now = isoSec(nowMs);
    const url = `${repo.url}/issues/${number}`;
    const { name: _name, email: _email, ...author } = this.user;
    const draft: GithubIssue = {
      id,
      node_id: btoa(`05:Issue${id}`),
      url,
      repository_url: repo.url,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${repo.html_url}/issues/${number}`,
      number,
      state: 'open',
      state_reason: null,
      title: input.title,
      body: input.body ?? null,
      user: author,
      labels: [],
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: 0,
      closed_at: null,
      created_at: now,
      updated_at: now,
      author_association: 'OWNER',
      type: null,
      sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 },
      reactions: {
        url: `${url}/reactions`,
        total_count: 0,
        '+1': 0,
        '-1': 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
      timeline_url: `${url}/timeline`,
      performed_via_github_app: null,
    };
    issues.set(number, draft);
    const { title: _title, body: _body, ...rest } = input;
    const created = this.updateIssue(key, number, rest, nowMs) ?? draft;
    const open = this.issues(key).filter((i) => i.state === 'open').length;
    this.#repos.set(key, { ...repo, open_issues: open, open_issues_count: open });
    return created;
  }

  #label(key: string, repo: GithubRepo, name: string): GithubLabel {
    const labels = this.#labels.get(key) ?? [];
    const found = labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
    if (found) return found;
    // GitHub creates labels that do not exist yet when they are set on an issue.
    const id = ++this.#labelId;
    const label: GithubLabel = {
      id,
      node_id: btoa(`05:Label${id}`),
      url: `${repo.url}/labels/${encodeURIComponent(name)}`,
      name,
      description: '',
      color: 'ededed',
      default: false,
    };
    labels.push(label);
    this.#labels.set(key, labels);
    return label;
  }
}
