// Linear query semantics: Relay connections ordered by createdAt/updatedAt, and IssueFilter-style comparators.
import { GraphQLError } from 'graphql';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  orderBy?: 'createdAt' | 'updatedAt' | null;
}

export interface Connection<T> {
  nodes: T[];
  edges: { node: T; cursor: string }[];
  pageInfo: {
    hasPreviousPage: boolean;
    hasNextPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

type Sortable = { id: string; createdAt?: string; updatedAt?: string };

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 250;

export function invalidInput(message: string, userPresentableMessage: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      type: 'invalid input',
      code: 'INVALID_INPUT',
      statusCode: 400,
      userError: true,
      userPresentableMessage,
    },
  });
}

function checkSize(name: string, value: number | null | undefined): void {
  if (value === null || value === undefined) return;
  if (value < 0) throw invalidInput('Argument Validation Error', `${name} must not be less than 0.`);
  if (value > MAX_PAGE)
    throw invalidInput('Argument Validation Error', `${name} must not be greater than ${MAX_PAGE}.`);
}

/** Cursors carry the sort key and id, so a page boundary survives the boundary item being edited meanwhile. */
const encode = (key: string, id: string) => Buffer.from(JSON.stringify([key, id])).toString('base64url');

function decode<T extends Sortable>(
  cursor: string,
  byId: Map<string, T>,
  keyOf: (t: T) => string,
): [string, string] {
  const node = byId.get(cursor);
  if (node) return [keyOf(node), node.id];
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string')) {
      return [parsed[0] as string, parsed[1] as string];
    }
  } catch {
    // reported below
  }
  throw invalidInput('Argument Validation Error', `Invalid cursor: ${cursor}`);
}

const after = (a: [string, string], b: [string, string]) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

/** A Relay connection over `items`, ascending by the orderBy field (createdAt by default), then id. */
export function connection<T extends Sortable>(items: Iterable<T>, args: PageArgs): Connection<T> {
  checkSize('first', args.first);
  checkSize('last', args.last);
  const field = args.orderBy ?? 'createdAt';
  const keyOf = (t: T) => t[field] ?? '';
  const all = [...items];
  const byId = new Map(all.map((t) => [t.id, t]));
  const sorted = all
    .map((t) => ({ t, k: [keyOf(t), t.id] as [string, string] }))
    .sort((a, b) => (after(a.k, b.k) ? 1 : after(b.k, a.k) ? -1 : 0));
  let lo = 0;
  let hi = sorted.length;
  if (args.after) {
    const c = decode(args.after, byId, keyOf);
    while (lo < hi && !after((sorted[lo] as { k: [string, string] }).k, c)) lo++;
  }
  if (args.before) {
    const c = decode(args.before, byId, keyOf);
    while (hi > lo && !after(c, (sorted[hi - 1] as { k: [string, string] }).k)) hi--;
  }
  const first = args.first ?? (args.last == null ? DEFAULT_PAGE : null);
  if (first !== null && hi - lo > first) hi = lo + first;
  if (args.last != null && hi - lo > args.last) lo = hi - args.last;
  const page = sorted.slice(lo, hi);
  const edges = page.map(({ t, k }) => ({ node: t, cursor: encode(k[0], k[1]) }));
  return {
    nodes: page.map((p) => p.t),
    edges,
    pageInfo: {
      hasPreviousPage: lo > 0,
      hasNextPage: hi < sorted.length,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

const DURATION =
  /^([+-])?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** A DateTimeOrDuration value as epoch ms: ISO date-times as is, durations relative to `nowMs`. */
export function dateValue(value: unknown, nowMs: number): number {
  const text = String(value);
  const d = DURATION.exec(text);
  if (d && text !== 'P' && text !== 'PT') {
    const n = (i: number) => Number(d[i] ?? 0);
    const ms = ((n(2) * 365 + n(3) * 30 + n(4) * 7 + n(5)) * 86_400 + n(6) * 3_600 + n(7) * 60 + n(8)) * 1000;
    return nowMs + (d[1] === '-' ? -ms : ms);
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalidInput('Argument Validation Error', `Invalid date or duration: ${text}`);
  return ms;
}

type Scalar = string | number | null;
export type Filterable = { [key: string]: Scalar | Filterable | Filterable[] | null };

const DATE_FIELDS = new Set(['createdAt', 'updatedAt', 'completedAt', 'dueDate']);
const OPERATORS = new Set([
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'null',
  'eqIgnoreCase',
  'neqIgnoreCase',
  'startsWith',
  'endsWith',
  'contains',
  'containsIgnoreCase',
  'notContains',
]);

function compareOp(op: string, have: Scalar, want: unknown, norm: (v: unknown) => Scalar): boolean {
  if (op === 'null') return (have === null) === Boolean(want);
  if (op === 'in' || op === 'nin') {
    const hit = Array.isArray(want) && want.some((w) => norm(w) === have);
    return op === 'in' ? hit : !hit;
  }
  if (op === 'neq') return have !== norm(want);
  if (op === 'neqIgnoreCase') return String(have).toLowerCase() !== String(want).toLowerCase();
  if (have === null) return false;
  const w = norm(want);
  const hs = String(have);
  const ws = String(want);
  switch (op) {
    case 'eq':
      return have === w;
    case 'gt':
      return w !== null && have > w;
    case 'gte':
      return w !== null && have >= w;
    case 'lt':
      return w !== null && have < w;
    case 'lte':
      return w !== null && have <= w;
    case 'eqIgnoreCase':
      return hs.toLowerCase() === ws.toLowerCase();
    case 'startsWith':
      return hs.startsWith(ws);
    case 'endsWith':
      return hs.endsWith(ws);
    case 'contains':
      return hs.includes(ws);
    case 'containsIgnoreCase':
      return hs.toLowerCase().includes(ws.toLowerCase());
    case 'notContains':
      return !hs.includes(ws);
    default:
      return false;
  }
}

/** Evaluates a Linear filter object (comparators, nested relation filters, and/or, collection some/every). */
export function matchesFilter(
  entity: Filterable | null,
  filter: Record<string, unknown>,
  nowMs: number,
): boolean {
  for (const [key, spec] of Object.entries(filter)) {
    if (spec === null || spec === undefined) continue;
    if (key === 'and') {
      if (!(spec as Record<string, unknown>[]).every((f) => matchesFilter(entity, f, nowMs))) return false;
      continue;
    }
    if (key === 'or') {
      if (!(spec as Record<string, unknown>[]).some((f) => matchesFilter(entity, f, nowMs))) return false;
      continue;
    }
    if (key === 'null') {
      if ((entity === null) !== Boolean(spec)) return false;
      continue;
    }
    if (entity === null) return false;
    const value = entity[key] ?? null;
    const sub = spec as Record<string, unknown>;
    if (Array.isArray(value)) {
      const items = value;
      if (sub.some && !items.some((i) => matchesFilter(i, sub.some as Record<string, unknown>, nowMs)))
        return false;
      if (sub.every && !items.every((i) => matchesFilter(i, sub.every as Record<string, unknown>, nowMs)))
        return false;
      if (sub.length && !matchesFilter({ n: items.length }, { n: sub.length }, nowMs)) return false;
      continue;
    }
    const isComparator = Object.keys(sub).every((k) => OPERATORS.has(k));
    if (isComparator && (value === null || typeof value !== 'object')) {
      const norm = DATE_FIELDS.has(key)
        ? (v: unknown): Scalar => (v === null || v === undefined ? null : dateValue(v, nowMs))
        : (v: unknown): Scalar =>
            v === null || v === undefined ? null : typeof v === 'number' ? v : String(v);
      const have = DATE_FIELDS.has(key) && value !== null ? Date.parse(String(value)) : value;
      for (const [op, want] of Object.entries(sub)) {
        if (want === undefined || (want === null && op !== 'null')) continue;
        if (!compareOp(op, have, want, norm)) return false;
      }
      continue;
    }
    if (!matchesFilter(value as Filterable | null, sub, nowMs)) return false;
  }
  return true;
}
