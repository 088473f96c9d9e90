// GitHub REST sample generator: the demo account, its repositories, issues (PRs included) and pull requests.

import type { GithubIssue, GithubLabel, GithubPull, GithubRepo, GithubSimpleUser } from './github-types.ts';
import {
  LOGIN,
  makePull,
  makeRepo,
  nodeId,
  simpleUser,
  type Actor,
  type PullSeed,
  type RepoRow,
} from './github-entities.ts';
import { STAFF } from './people.ts';
import { DAY, HOUR, isoSec, slugify, type Rng } from './prng.ts';

export interface GithubData {
  user: GithubSimpleUser;
  collaborators: GithubSimpleUser[];
  repos: GithubRepo[];
  issues: GithubIssue[];
  pulls: GithubPull[];
}

const REPOS: readonly RepoRow[] = [
  [
    'web-app',
    'Dinobase for the browser: query your SaaS data offline with DuckDB-WASM',
    'TypeScript',
    'mit',
    66,
    28,
  ],
  [
    'sync-engine',
    'Connectors that sync Stripe, HubSpot, Linear and GitHub into DuckDB',
    'Rust',
    'apache',
    44,
    19,
  ],
  ['api-server', 'Auth, OAuth proxy and webhook intake', 'Go', null, 55, 24],
  ['mobile-app', 'iOS and Android companion app', 'Kotlin', null, 22, 10],
  ['infra', 'Terraform and Helm for the hosted control plane', 'HCL', null, 22, 9],
  ['docs', 'Documentation site', 'MDX', 'mit', 11, 5],
];

// name, color, description, GitHub default label?
const LABELS: readonly (readonly [string, string, string, boolean])[] = [
  ['bug', 'd73a4a', "Something isn't working", true],
  ['enhancement', 'a2eeef', 'New feature or request', true],
  ['documentation', '0075ca', 'Improvements or additions to documentation', true],
  ['good first issue', '7057ff', 'Good for newcomers', true],
  ['dependencies', '0366d6', 'Pull requests that update a dependency file', false],
  ['performance', 'fbca04', 'Makes something faster or lighter', false],
];

const PR_KINDS = ['feat', 'fix', 'refactor', 'perf', 'test', 'docs', 'chore'];
const PR_SUBJECTS = [
  'incremental cursor for HubSpot deals',
  'retry Stripe list calls on 429',
  'virtualize the results grid',
  'persist query history in OPFS',
  'preview diff before SQL write-back',
  'stream Arrow batches to the UI',
  'handle archived Linear issues',
  'paginate GitHub issues with Link headers',
  'token refresh race on wake-up',
  'schema drift when a source adds a field',
  'faster cold start of the worker',
  'dark mode contrast in editor',
];
const ISSUE_TITLES = [
  'Sync never finishes for accounts with 100k+ charges',
  'Query editor loses focus after running a query',
  'Support Salesforce as a source',
  'Export results to Parquet',
  'Timestamps shown in UTC instead of local time',
  'HubSpot deals missing associations after resync',
  'Crash when OPFS quota is exceeded',
  'Allow pinning frequently used queries',
  'Document the write-back permission model',
  'Stripe invoices with zero amount are skipped',
];
const BUMPS = ['vite', 'typescript', 'duckdb', 'serde', 'tokio', 'golang.org/x/net', 'svelte'];

export function generateGithub(rng: Rng, now: number): GithubData {
  const user: GithubSimpleUser = { ...simpleUser(LOGIN, 160_427_861), name: 'Dinobase Demo', email: null };
  const owner = simpleUser(LOGIN, user.id);
  const collaborators = STAFF.flatMap((s) =>
    s.githubLogin ? [simpleUser(s.githubLogin, rng.int(1_000_000, 99_999_999))] : [],
  );
  const bot = simpleUser('dependabot[bot]', 49_699_333, 'Bot');
  const outsiders = ['jwhitaker', 'nadia-builds', 'pkoval'].map((l) =>
    simpleUser(l, rng.int(1_000_000, 140_000_000)),
  );
  const crew: Actor[] = collaborators.map((u) => ({ user: u, association: 'COLLABORATOR' }));
  const ownerActor: Actor = { user: owner, association: 'OWNER' };
  const outsider = (): Actor => ({ user: rng.pick(outsiders), association: 'CONTRIBUTOR' });

  let repoId = 701_884_000;
  let labelId = 6_210_554_000;
  const repos = REPOS.map((row, i) => {
    repoId += rng.int(1_000, 9_000_000);
    return makeRepo(rng, owner, row, repoId, now - (720 - i * 70) * DAY + rng.int(0, DAY));
  });

  // Drafts first: numbers and ids depend on creation order across the whole account.
  type Draft = {
    repo: GithubRepo;
    pull: boolean;
    created: number;
    number: number;
    issueId: number;
    pullId: number;
  };
  const drafts: Draft[] = [];
  REPOS.forEach((row, r) => {
    const repo = repos[r];
    if (!repo) return;
    const since = Date.parse(repo.created_at) / 1000 + 3 * DAY;
    const own: Draft[] = [];
    const count = row[4] + row[5] + rng.int(-2, 2);
    for (let k = 0; k < count; k++) {
      own.push({
        repo,
        pull: k < row[4],
        created: rng.recentBetween(since, now - HOUR),
        number: 0,
        issueId: 0,
        pullId: 0,
      });
    }
    own.sort((a, b) => a.created - b.created).forEach((d, k) => (d.number = k + 1));
    drafts.push(...own);
  });
  drafts.sort((a, b) => a.created - b.created);
  let issueId = 2_118_400_000;
  let pullId = 1_640_200_000;
  for (const d of drafts) {
    d.issueId = issueId += rng.int(20_000, 900_000);
    if (d.pull) d.pullId = pullId += rng.int(10_000, 600_000);
  }

  const repoLabels = new Map<string, GithubLabel[]>();
  for (const repo of repos) {
    const list = LABELS.map(([name, color, description, isDefault]) => {
      labelId += rng.int(1, 50_000);
      return {
        id: labelId,
        node_id: nodeId('05:Label', labelId),
        url: `${repo.url}/labels/${encodeURIComponent(name)}`,
        name,
        description,
        color,
        default: isDefault,
      };
    });
    repoLabels.set(repo.full_name, list);
  }

  const issues: GithubIssue[] = [];
  const seeds: PullSeed[] = [];
  for (const d of drafts) {
    const { repo, pull, created, number } = d;
    const dependabot = pull && rng.chance(0.1);
    const actor: Actor = dependabot
      ? { user: bot, association: 'CONTRIBUTOR' }
      : rng.chance(pull ? 0.75 : 0.55)
        ? rng.pick(crew)
        : rng.chance(0.5)
          ? ownerActor
          : outsider();
    const roll = rng.float();
    const open = roll < (pull ? 0.15 : 0.35);
    const merged = pull && !open && roll < 0.87;
    const closedAt = open ? null : Math.min(created + rng.int(HOUR, 30 * DAY), now - 1);
    const updated = rng.between(closedAt ?? created, now - 1);
    const title = dependabot
      ? `chore(deps): bump ${rng.pick(BUMPS)} from 1.${rng.int(0, 9)}.${rng.int(0, 9)} to 1.${rng.int(10, 19)}.${rng.int(0, 9)}`
      : pull
        ? `${rng.pick(PR_KINDS)}: ${rng.pick(PR_SUBJECTS)}`
        : rng.pick(ISSUE_TITLES);
    const body = rng.chance(0.15)
      ? null
      : pull
        ? `## Summary\n\n${title}.\n\n## Testing\n\n- [x] unit tests\n`
        : `### What happens\n\n${title}.\n\n### Expected\n\nIt should just work.\n`;
    const labels = rng
      .sample(repoLabels.get(repo.full_name) ?? [], dependabot ? 0 : rng.int(0, 2))
      .map((l) => ({ ...l }));
    const assignee = actor.association === 'COLLABORATOR' && rng.chance(0.5) ? { ...actor.user } : null;
    const iurl = `${repo.url}/issues/${number}`;
    const reactions = {
      '+1': rng.chance(0.2) ? rng.int(1, 6) : 0,
      '-1': 0,
      laugh: 0,
      hooray: rng.chance(0.05) ? 1 : 0,
      confused: 0,
      heart: rng.chance(0.1) ? rng.int(1, 3) : 0,
      rocket: 0,
      eyes: 0,
    };
    const issue: GithubIssue = {
      id: d.issueId,
      node_id: nodeId('05:Issue', d.issueId),
      url: iurl,
      repository_url: repo.url,
      labels_url: `${iurl}/labels{/name}`,
      comments_url: `${iurl}/comments`,
      events_url: `${iurl}/events`,
      html_url: `${repo.html_url}/${pull ? 'pull' : 'issues'}/${number}`,
      number,
      state: open ? 'open' : 'closed',
      state_reason: pull || open ? null : rng.chance(0.75) ? 'completed' : 'not_planned',
      title,
      body,
      user: { ...actor.user },
      labels,
      assignee,
      assignees: assignee ? [{ ...assignee }] : [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: rng.int(0, 8),
      closed_at: closedAt === null ? null : isoSec(closedAt),
      created_at: isoSec(created),
      updated_at: isoSec(updated),
      author_association: actor.association,
      type: null,
      sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 },
      reactions: {
        url: `${iurl}/reactions`,
        total_count: Object.values(reactions).reduce((a, b) => a + b, 0),
        ...reactions,
      },
      timeline_url: `${iurl}/timeline`,
      performed_via_github_app: null,
    };
    if (pull) {
      const html = `${repo.html_url}/pull/${number}`;
      issue.pull_request = {
        url: `${repo.url}/pulls/${number}`,
        html_url: html,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        merged_at: merged && closedAt !== null ? isoSec(closedAt) : null,
      };
      issue.draft = open && rng.chance(0.2);
      const headRef = dependabot
        ? `dependabot/${slugify(title.split('bump ')[1] ?? 'deps', 40)}`
        : `${title.split(':')[0]}/${slugify(title.split(': ')[1] ?? title, 40)}`;
      seeds.push({
        repo,
        id: d.pullId,
        issue,
        headRef,
        headSha: rng.hex(40),
        baseSha: rng.hex(40),
        mergeSha: merged || open ? rng.hex(40) : null,
        // Review requests are cleared once a PR is closed, so only open ones still list reviewers.
        reviewers: open
          ? rng
              .sample(crew, rng.int(0, 2))
              .filter((a) => a.user.login !== actor.user.login)
              .map((a) => ({ ...a.user }))
          : [],
      });
    }
    issues.push(issue);
  }

  // Repository counters reflect what was generated: open issues include open PRs, as on GitHub.
  for (const repo of repos) {
    const own = issues.filter((i) => i.repository_url === repo.url);
    const open = own.filter((i) => i.state === 'open').length;
    repo.open_issues_count = repo.open_issues = open;
    const last = own.reduce((m, i) => (i.updated_at > m ? i.updated_at : m), repo.created_at);
    const lastPush = own.reduce(
      (m, i) => (i.pull_request && i.created_at > m ? i.created_at : m),
      repo.created_at,
    );
    repo.updated_at = last;
    repo.pushed_at = lastPush;
  }

  // Pulls embed the repository twice (head and base), so they are built after its counters are final.
  const pulls = seeds.map((seed) => makePull(seed));
  return { user, collaborators, repos, issues, pulls };
}
