// HubSpot request semantics: errors, cursors, JSON bodies, and CRM search (filter groups, typed comparisons, sorts).
import { isRecord } from '../../common/json.ts';
import {
  DATE_PROPERTIES,
  NUMBER_PROPERTIES,
  type HubSpotRecord,
  type PropertyValue,
} from './hubspot-store.ts';

export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: unknown;
  highValue?: unknown;
  values?: unknown[];
}

export interface SearchSort {
  propertyName: string;
  direction: 'ASCENDING' | 'DESCENDING';
}

export interface SearchRequest {
  filterGroups: { filters: SearchFilter[] }[];
  sorts: SearchSort[];
  properties?: string[];
  limit: number;
  after: number;
  query?: string;
}

/** A search body HubSpot would reject; the message is shown to the caller. */
export class SearchInputError extends Error {}

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);
export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_MAX_RESULTS = 10_000;

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? null));

export class HubSpotError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** HubSpot's cursors are opaque; these are base64 of the next id, and plain ids are accepted too. */
export const encodeCursor = (id: number) => btoa(String(id)).replace(/=+$/, '');
export function decodeCursor(after: string | undefined): number {
  if (after === undefined || after === '') return 0;
  if (/^\d+$/.test(after)) return Number(after);
  try {
    const decoded = atob(after);
    if (/^\d+$/.test(decoded)) return Number(decoded);
  } catch {
    // fall through to the validation error
  }
  throw new HubSpotError(400, 'VALIDATION_ERROR', `Invalid paging cursor: ${after}`);
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    const position = Number(/position (\d+)/.exec(String(error))?.[1] ?? 0);
    const before = raw.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    const reason = error instanceof Error ? error.message : String(error);
    throw new HubSpotError(
      400,
      'VALIDATION_ERROR',
      `Invalid input JSON on line ${line}, column ${column}: ${reason}`,
    );
  }
}

export function limitParam(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new HubSpotError(400, 'VALIDATION_ERROR', `Invalid limit: ${raw}`);
  if (n < 1 || n > max) {
    throw new HubSpotError(400, 'VALIDATION_ERROR', `limit must be between 1 and ${max}, got ${n}.`);
  }
  return n;
}

/** Validates and normalises a raw JSON body into a SearchRequest. */
export function parseSearch(body: unknown): SearchRequest {
  if (!isRecord(body)) throw new SearchInputError('Invalid input JSON: expected an object');
  const groups = body.filterGroups ?? [];
  if (!Array.isArray(groups)) throw new SearchInputError('filterGroups must be an array');
  if (groups.length > 5) throw new SearchInputError('Too many filter groups: at most 5 are allowed');
  let total = 0;
  const filterGroups = groups.map((g) => {
    const filters = isRecord(g) && Array.isArray(g.filters) ? g.filters : [];
    if (filters.length > 6) throw new SearchInputError('Too many filters in a group: at most 6 are allowed');
    total += filters.length;
    return {
      filters: filters.map((f): SearchFilter => {
        if (!isRecord(f) || typeof f.propertyName !== 'string')
          throw new SearchInputError('Filter is missing propertyName');
        const operator = typeof f.operator === 'string' ? f.operator : 'EQ';
        if (!OPERATORS.has(operator)) throw new SearchInputError(`Unknown operator: ${operator}`);
        return {
          propertyName: f.propertyName,
          operator,
          value: f.value,
          highValue: f.highValue,
          values: Array.isArray(f.values) ? f.values : undefined,
        };
      }),
    };
  });
  if (total > 18) throw new SearchInputError('Too many filters: at most 18 are allowed across all groups');
  const sorts = (Array.isArray(body.sorts) ? body.sorts : []).map((s): SearchSort => {
    if (typeof s === 'string') {
      return s.startsWith('-')
        ? { propertyName: s.slice(1), direction: 'DESCENDING' }
        : { propertyName: s, direction: 'ASCENDING' };
    }
    if (!isRecord(s) || typeof s.propertyName !== 'string')
      throw new SearchInputError('Sort is missing propertyName');
    return {
      propertyName: s.propertyName,
      direction: s.direction === 'DESCENDING' ? 'DESCENDING' : 'ASCENDING',
    };
  });
  const limit = body.limit === undefined ? 10 : Number(body.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT) {
    throw new SearchInputError(`limit must be between 1 and ${SEARCH_MAX_LIMIT}`);
  }
  const after = body.after === undefined || body.after === null || body.after === '' ? 0 : Number(body.after);
  if (!Number.isInteger(after) || after < 0) throw new SearchInputError(`Invalid after: ${text(body.after)}`);
  if (after >= SEARCH_MAX_RESULTS) {
    throw new SearchInputError(
      `Search results are limited to ${SEARCH_MAX_RESULTS} records; narrow the query with filters instead of paging past them.`,
    );
  }
  const properties = Array.isArray(body.properties) ? body.properties.map(text) : undefined;
  const query = typeof body.query === 'string' && body.query !== '' ? body.query : undefined;
  return { filterGroups, sorts, properties, limit, after, query };
}

/** Comparable form of a property value: epoch ms for dates, numbers for numeric properties, else lowercase text. */
function comparable(name: string, value: unknown): number | string | null {
  if (value === null || value === undefined || value === '') return null;
  const s = text(value);
  if (DATE_PROPERTIES.has(name)) {
    const ms = /^-?\d+$/.test(s) ? Number(s) : Date.parse(s);
    return Number.isNaN(ms) ? s.toLowerCase() : ms;
  }
  if (NUMBER_PROPERTIES.has(name) && s.trim() !== '' && Number.isFinite(Number(s))) return Number(s);
  return s.toLowerCase();
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function matches(record: HubSpotRecord, f: SearchFilter): boolean {
  const raw: PropertyValue | undefined =
    f.propertyName === 'hs_object_id' ? record.id : record.properties[f.propertyName];
  const have = comparable(f.propertyName, raw);
  const want = comparable(f.propertyName, f.value);
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return have !== null;
    case 'NOT_HAS_PROPERTY':
      return have === null;
    case 'IN':
    case 'NOT_IN': {
      const inList = (f.values ?? []).some((v) => {
        const w = comparable(f.propertyName, v);
        return have !== null && w !== null && compare(have, w) === 0;
      });
      return f.operator === 'IN' ? inList : !inList;
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const pattern = text(f.value)
        .toLowerCase()
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*');
      const re = new RegExp(`(^|\\W)${pattern}($|\\W)`);
      const found = have !== null && re.test(String(have));
      return f.operator === 'CONTAINS_TOKEN' ? found : !found;
    }
    case 'NEQ':
      return have === null || want === null || compare(have, want) !== 0;
  }
  if (have === null || want === null) return false;
  const order = compare(have, want);
  switch (f.operator) {
    case 'EQ':
      return order === 0;
    case 'LT':
      return order < 0;
    case 'LTE':
      return order <= 0;
    case 'GT':
      return order > 0;
    case 'GTE':
      return order >= 0;
    case 'BETWEEN': {
      const high = comparable(f.propertyName, f.highValue);
      return order >= 0 && high !== null && compare(have, high) <= 0;
    }
    default:
      return false;
  }
}

/** All matches in result order, plus the page window the request asked for. */
export function search(
  records: readonly HubSpotRecord[],
  req: SearchRequest,
  searchable: readonly string[],
): { total: number; page: HubSpotRecord[]; nextAfter?: number } {
  let hits = records.filter(
    (r) =>
      req.filterGroups.length === 0 || req.filterGroups.some((g) => g.filters.every((f) => matches(r, f))),
  );
  if (req.query) {
    const q = req.query.toLowerCase();
    hits = hits.filter((r) => searchable.some((p) => (r.properties[p] ?? '').toLowerCase().includes(q)));
  }
  const sort = req.sorts[0];
  if (sort) {
    const dir = sort.direction === 'DESCENDING' ? -1 : 1;
    hits = [...hits].sort((a, b) => {
      const x = comparable(sort.propertyName, a.properties[sort.propertyName]);
      const y = comparable(sort.propertyName, b.properties[sort.propertyName]);
      // Records without the property go last whatever the direction.
      if (x === null || y === null) return x === y ? Number(a.id) - Number(b.id) : x === null ? 1 : -1;
      return compare(x, y) * dir || Number(a.id) - Number(b.id);
    });
  }
  const page = hits.slice(req.after, req.after + req.limit);
  const next = req.after + req.limit;
  return next < hits.length ? { total: hits.length, page, nextAfter: next } : { total: hits.length, page };
}
