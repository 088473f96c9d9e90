// Linear sample generator: teams, users, projects and issues shaped like Linear's GraphQL nodes.

import { COMPANIES, STAFF } from './people.ts';
import { DAY, HOUR, isoDate, isoMs, slugify, type Rng, type Weighted } from './prng.ts';

export interface LinearTeam {
  id: string;
  key: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LinearUser {
  id: string;
  name: string;
  displayName: string;
  email: string;
  active: boolean;
  admin: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface LinearProject {
  id: string;
  name: string;
  description: string;
  state: 'planned' | 'started' | 'completed';
  progress: number;
  startDate: string | null;
  targetDate: string | null;
  createdAt: string;
  updatedAt: string;
  lead: { id: string } | null;
}

export type LinearStateType = 'backlog' | 'unstarted' | 'started' | 'completed' | 'canceled';

export interface LinearIssue {
  id: string;
  identifier: string;
  number: number;
  title: string;
  description: string | null;
  priority: number;
  priorityLabel: string;
  estimate: number | null;
  state: { id: string; name: string; type: LinearStateType };
  team: { id: string; key: string };
  assignee: { id: string; name: string } | null;
  project: { id: string; name: string } | null;
  labels: { nodes: { id: string; name: string }[] };
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  dueDate: string | null;
  url: string;
}

export interface LinearData {
  teams: LinearTeam[];
  users: LinearUser[];
  projects: LinearProject[];
  issues: LinearIssue[];
}

const TEAMS = [
  { key: 'ENG', name: 'Engineering', description: 'Sync engine, query layer and the web app.', issues: 90 },
  { key: 'DES', name: 'Design', description: 'Product design and the design system.', issues: 25 },
  {
    key: 'CS',
    name: 'Customer Success',
    description: 'Escalations and requests from customers.',
    issues: 35,
  },
] as const;

const STATES: readonly (readonly [string, LinearStateType, number])[] = [
  ['Backlog', 'backlog', 0.15],
  ['Todo', 'unstarted', 0.15],
  ['In Progress', 'started', 0.15],
  ['Done', 'completed', 0.45],
  ['Canceled', 'canceled', 0.1],
];
const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low'];
const PRIORITIES: Weighted<number> = [
  [0, 0.15],
  [1, 0.07],
  [2, 0.25],
  [3, 0.33],
  [4, 0.2],
];
const LABEL_COUNT: Weighted<number> = [
  [0, 0.3],
  [1, 0.5],
  [2, 0.2],
];
const LABELS = ['Bug', 'Feature', 'Improvement', 'Customer request', 'Tech debt', 'Performance'];

const PROJECTS: readonly (readonly [string, string, LinearProject['state']])[] = [
  ['Sync engine v2', 'Incremental cursors and resumable pages for every connector.', 'completed'],
  ['HubSpot write-back', 'Preview and apply SQL mutations against HubSpot objects.', 'started'],
  ['SSO & SCIM', 'SAML login and user provisioning for Business and Enterprise plans.', 'started'],
  ['Onboarding revamp', 'Sample data, guided first query and connector setup checklist.', 'completed'],
  ['Offline-first query cache', 'Persist query results in OPFS and reuse them across sessions.', 'planned'],
  ['Billing on Stripe', 'Move plan management and invoicing to Stripe Billing.', 'planned'],
];

const ENG_VERBS = ['Fix', 'Add', 'Improve', 'Refactor', 'Investigate', 'Speed up'];
const ENG_SUBJECTS = [
  'Stripe pagination cursor handling',
  'HubSpot deal associations sync',
  'Linear issue import',
  'GitHub rate-limit backoff',
  'DuckDB schema migrations',
  'OPFS storage quota errors',
  'SQL editor autocomplete',
  'query result virtualization',
  'mutation preview diff',
  'connector retry policy',
  'worker startup time',
  'CSV export for large tables',
  'timezone handling in charts',
  'token refresh for OAuth sources',
  'sync status notifications',
];
const DES_ITEMS = [
  'Design empty state for sources list',
  'Update query editor dark theme',
  'Redesign onboarding checklist',
  'Icon set for new connectors',
  'Spec for mutation confirmation dialog',
  'Audit color contrast in tables',
  'Mobile layout for results grid',
  'Illustrations for sample data tour',
];
const CS_PROBLEMS = [
  'SSO login loops back to sign-in page',
  'requests bulk export of invoices',
  'sync stuck at 95%',
  'wants Salesforce connector',
  'duplicate contacts after HubSpot sync',
  'cannot invite teammates',
  'asks for SOC 2 report',
  'charges missing for last week',
  'dashboard slow with 1M rows',
];

function pickTitle(rng: Rng, team: string): string {
  if (team === 'ENG') return `${rng.pick(ENG_VERBS)} ${rng.pick(ENG_SUBJECTS)}`;
  if (team === 'DES') return rng.pick(DES_ITEMS);
  return `${rng.pick(COMPANIES).name}: ${rng.pick(CS_PROBLEMS)}`;
}

function describe(rng: Rng, title: string): string | null {
  if (rng.chance(0.25)) return null;
  return `## Context\n\n${title}.\n\n## Acceptance criteria\n\n- [ ] Reproduced locally\n- [ ] Fix covered by a test\n`;
}

export function generateLinear(rng: Rng, now: number): LinearData {
  const founded = now - 900 * DAY;
  const stamp = (from: number) => {
    const created = rng.between(from, now - DAY) * 1000 + rng.int(0, 999);
    return { created, updated: rng.between(Math.floor(created / 1000), now - 1) * 1000 + rng.int(0, 999) };
  };
  const teams: LinearTeam[] = TEAMS.map((t, i) => {
    const created = (founded + i * 40 * DAY) * 1000 + rng.int(0, 86_399_999);
    return {
      id: rng.uuid(),
      key: t.key,
      name: t.name,
      description: t.description,
      createdAt: isoMs(created),
      updatedAt: isoMs(rng.between(Math.floor(created / 1000), now - 1) * 1000),
    };
  });
  // Everyone but five sales reps: the three remaining reps are also HubSpot owners (same email).
  const members = STAFF.filter((s, i) => s.role !== 'sales' || i < 3);
  const users: LinearUser[] = members.map((s, i) => {
    const { created, updated } = stamp(founded);
    return {
      id: rng.uuid(),
      name: `${s.firstName} ${s.lastName}`,
      displayName: s.email.split('.')[0] ?? s.firstName.toLowerCase(),
      email: s.email,
      active: true,
      admin: i === 3 || i === 4,
      createdAt: isoMs(created),
      updatedAt: isoMs(updated),
    };
  });
  const roleOf = new Map(members.map((s, i) => [users[i]?.id ?? '', s.role]));
  const engineers = users.filter((u) => roleOf.get(u.id) === 'engineering');
  const teamUsers: Record<string, LinearUser[]> = {
    ENG: engineers,
    DES: users.filter((u) => roleOf.get(u.id) === 'design'),
    CS: users.filter((u) => ['success', 'sales'].includes(roleOf.get(u.id) ?? '')),
  };

  const projects: LinearProject[] = PROJECTS.map(([name, description, state]) => {
    const { created, updated } = stamp(founded + 200 * DAY);
    const start = Math.floor(created / 1000) + rng.int(1, 20) * DAY;
    return {
      id: rng.uuid(),
      name,
      description,
      state,
      progress: state === 'completed' ? 1 : 0,
      startDate: state === 'planned' ? null : isoDate(Math.min(start, now - DAY)),
      // Roadmap target dates of unfinished projects are, naturally, still ahead.
      targetDate:
        state === 'completed'
          ? isoDate(rng.between(start, now - DAY))
          : isoDate(now + rng.int(20, 150) * DAY),
      createdAt: isoMs(created),
      updatedAt: isoMs(updated),
      lead: state === 'planned' && rng.chance(0.5) ? null : { id: rng.pick(engineers).id },
    };
  });
  const labels = LABELS.map((name) => ({ id: rng.uuid(), name }));

  const issues: LinearIssue[] = [];
  teams.forEach((team, ti) => {
    const spec = TEAMS[ti];
    if (!spec) return;
    const states = STATES.map(([name, type, w]) => [{ id: rng.uuid(), name, type }, w] as const);
    const times: number[] = [];
    for (let i = 0; i < spec.issues; i++)
      times.push(rng.recentBetween(now - 400 * DAY, now - HOUR) * 1000 + rng.int(0, 999));
    times.sort((a, b) => a - b);
    times.forEach((created, i) => {
      const number = i + 1;
      const identifier = `${team.key}-${number}`;
      const state = rng.weighted(states);
      const createdSec = Math.floor(created / 1000);
      const completed = state.type === 'completed' ? rng.between(createdSec + 600, now - 1) : null;
      const updated = rng.between(completed ?? createdSec, now - 1) * 1000 + rng.int(0, 999);
      const priority = rng.weighted(PRIORITIES);
      const title = pickTitle(rng, team.key);
      const assignable = teamUsers[team.key] ?? [];
      const assignee = state.type === 'backlog' && rng.chance(0.6) ? null : rng.pick(assignable);
      const project = team.key !== 'CS' && rng.chance(0.6) ? rng.pick(projects) : null;
      issues.push({
        id: rng.uuid(),
        identifier,
        number,
        title,
        description: describe(rng, title),
        priority,
        priorityLabel: PRIORITY_LABELS[priority] ?? 'No priority',
        estimate: rng.chance(0.3) ? null : rng.pick([1, 2, 3, 5, 8]),
        state,
        team: { id: team.id, key: team.key },
        assignee: assignee ? { id: assignee.id, name: assignee.name } : null,
        project: project ? { id: project.id, name: project.name } : null,
        labels: { nodes: rng.sample(labels, rng.weighted(LABEL_COUNT)).map((l) => ({ ...l })) },
        createdAt: isoMs(created),
        updatedAt: isoMs(updated),
        completedAt: completed === null ? null : isoMs(completed * 1000),
        // Due dates are deadlines and may fall after "now" for open work.
        dueDate: rng.chance(0.25) ? isoDate(createdSec + rng.int(3, 60) * DAY) : null,
        url: `https://linear.app/dinobase-demo/issue/${identifier}/${slugify(title)}`,
      });
    });
  });
  // Started projects report the share of their non-canceled issues that are done, as Linear computes it.
  for (const p of projects.filter((p) => p.state === 'started')) {
    const own = issues.filter((i) => i.project?.id === p.id && i.state.type !== 'canceled');
    const done = own.filter((i) => i.state.type === 'completed').length;
    p.progress = own.length === 0 ? 0 : Math.round((done / own.length) * 100) / 100;
  }
  issues.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  return { teams, users, projects, issues };
}
