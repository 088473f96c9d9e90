// Factories for GitHub REST objects (simple-user, repository, pull-request-simple) with GitHub's exact URL layout.

import type {
  GithubAuthorAssociation,
  GithubIssue,
  GithubLicense,
  GithubPull,
  GithubRepo,
  GithubSimpleUser,
} from './github-types.ts';
import { isoSec, type Rng } from './prng.ts';

export const API = 'https://api.github.com';
export const WEB = 'https://github.com';
export const LOGIN = 'dinobase-demo';

/** name, description, language, license key (null = private repo), pull count, plain-issue count */
export type RepoRow = [
  name: string,
  description: string,
  language: string,
  license: string | null,
  pulls: number,
  issues: number,
];

export interface Actor {
  user: GithubSimpleUser;
  association: GithubAuthorAssociation;
}

const LICENSES: Record<string, GithubLicense> = {
  mit: {
    key: 'mit',
    name: 'MIT License',
    spdx_id: 'MIT',
    url: `${API}/licenses/mit`,
    node_id: 'MDc6TGljZW5zZTEz',
  },
  apache: {
    key: 'apache-2.0',
    name: 'Apache License 2.0',
    spdx_id: 'Apache-2.0',
    url: `${API}/licenses/apache-2.0`,
    node_id: 'MDc6TGljZW5zZTI=',
  },
};

export function nodeId(kind: string, id: number | string): string {
  return btoa(`${kind}${id}`);
}

export function simpleUser(
  login: string,
  id: number,
  type: GithubSimpleUser['type'] = 'User',
): GithubSimpleUser {
  const url = `${API}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId(type === 'Bot' ? '03:Bot' : '04:User', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${WEB}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function makeRepo(
  rng: Rng,
  owner: GithubSimpleUser,
  row: RepoRow,
  id: number,
  created: number,
): GithubRepo {
  const [name, description, language, license] = row;
  const full = `${LOGIN}/${name}`;
  const url = `${API}/repos/${full}`;
  const isPrivate = license === null;
  const stars = isPrivate ? 0 : rng.int(40, 900);
  const forks = isPrivate ? 0 : Math.floor(stars / rng.int(6, 15));
  return {
    id,
    node_id: nodeId('010:Repository', id),
    name,
    full_name: full,
    private: isPrivate,
    owner: { ...owner },
    html_url: `${WEB}/${full}`,
    description,
    fork: false,
    url,
    forks_url: `${url}/forks`,
    keys_url: `${url}/keys{/key_id}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    teams_url: `${url}/teams`,
    hooks_url: `${url}/hooks`,
    issue_events_url: `${url}/issues/events{/number}`,
    events_url: `${url}/events`,
    assignees_url: `${url}/assignees{/user}`,
    branches_url: `${url}/branches{/branch}`,
    tags_url: `${url}/tags`,
    blobs_url: `${url}/git/blobs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    trees_url: `${url}/git/trees{/sha}`,
    statuses_url: `${url}/statuses/{sha}`,
    languages_url: `${url}/languages`,
    stargazers_url: `${url}/stargazers`,
    contributors_url: `${url}/contributors`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    commits_url: `${url}/commits{/sha}`,
    git_commits_url: `${url}/git/commits{/sha}`,
    comments_url: `${url}/comments{/number}`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    contents_url: `${url}/contents/{+path}`,
    compare_url: `${url}/compare/{base}...{head}`,
    merges_url: `${url}/merges`,
    archive_url: `${url}/{archive_format}{/ref}`,
    downloads_url: `${url}/downloads`,
    issues_url: `${url}/issues{/number}`,
    pulls_url: `${url}/pulls{/number}`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    labels_url: `${url}/labels{/name}`,
    releases_url: `${url}/releases{/id}`,
    deployments_url: `${url}/deployments`,
    created_at: isoSec(created),
    updated_at: isoSec(created),
    pushed_at: isoSec(created),
    git_url: `git://github.com/${full}.git`,
    ssh_url: `git@github.com:${full}.git`,
    clone_url: `${WEB}/${full}.git`,
    svn_url: `${WEB}/${full}`,
    homepage:
      name === 'docs'
        ? 'https://docs.dinobase-demo.dev'
        : name === 'web-app'
          ? 'https://dinobase-demo.dev'
          : null,
    size: rng.int(400, 60_000),
    stargazers_count: stars,
    watchers_count: stars,
    language,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: !isPrivate,
    has_pages: name === 'docs',
    has_discussions: name === 'web-app',
    forks_count: forks,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: license === null ? null : ({ ...(LICENSES[license] ?? LICENSES.mit) } as GithubLicense),
    allow_forking: !isPrivate,
    is_template: false,
    web_commit_signoff_required: false,
    topics: isPrivate ? [] : ['duckdb', 'saas', 'sql', name === 'sync-engine' ? 'etl' : 'analytics'],
    visibility: isPrivate ? 'private' : 'public',
    forks,
    open_issues: 0,
    watchers: stars,
    default_branch: 'main',
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
  };
}

export interface PullSeed {
  repo: GithubRepo;
  id: number;
  /** The issue-list twin of this pull request; both share number, title, body, state and timestamps. */
  issue: GithubIssue;
  headRef: string;
  headSha: string;
  baseSha: string;
  mergeSha: string | null;
  reviewers: GithubSimpleUser[];
}

export function makePull(p: PullSeed): GithubPull {
  const { repo, issue } = p;
  const url = `${repo.url}/pulls/${issue.number}`;
  const html = `${repo.html_url}/pull/${issue.number}`;
  const statuses = `${repo.url}/statuses/${p.headSha}`;
  return {
    url,
    id: p.id,
    node_id: nodeId('011:PullRequest', p.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue.url,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repo.url}/pulls/comments{/number}`,
    comments_url: issue.comments_url,
    statuses_url: statuses,
    number: issue.number,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    user: { ...issue.user },
    body: issue.body,
    labels: issue.labels.map((l) => ({ ...l })),
    milestone: null,
    active_lock_reason: null,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    merged_at: issue.pull_request?.merged_at ?? null,
    merge_commit_sha: p.mergeSha,
    assignee: issue.assignee ? { ...issue.assignee } : null,
    assignees: issue.assignees.map((u) => ({ ...u })),
    requested_reviewers: p.reviewers,
    requested_teams: [],
    head: {
      label: `${LOGIN}:${p.headRef}`,
      ref: p.headRef,
      repo: structuredClone(repo),
      sha: p.headSha,
      user: { ...repo.owner },
    },
    base: {
      label: `${LOGIN}:main`,
      ref: 'main',
      repo: structuredClone(repo),
      sha: p.baseSha,
      user: { ...repo.owner },
    },
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue.url },
      comments: { href: issue.comments_url },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${repo.url}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: statuses },
    },
    author_association: issue.author_association,
    auto_merge: null,
    draft: issue.draft ?? false,
  };
}
