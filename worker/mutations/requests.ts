// The HTTP side of a write-back: builds the write (REST json/form or GraphQL) and the stale-check read, reads answers.
import { isRecord } from '../../common/json.ts';
import { getPath, placeholdersIn, substitute, type Scope } from '../connectors/paths.ts';
import type { PageRequest } from '../connectors/request.ts';
import type { ConnectorSpec, WriteEndpointSpec } from '../connectors/spec.ts';
import { MutationError } from '../errors.ts';
import { vendorMessage } from '../sync/http.ts';
import type { Route } from '../sync/transport.ts';
import type { JsonValue } from '../values.ts';
import type { MutationPlan, PlannedRow } from './types.ts';

type Nested = { [key: string]: JsonValue | Nested };

/** The values `{placeholders}` in paths and variables resolve to for one row. */
export function rowScope(
  route: Route,
  endpoint: WriteEndpointSpec,
  plan: MutationPlan,
  row: PlannedRow,
): Scope {
  const scope: Scope = { ...route.scope };
  // An insert has no local row yet: the VALUES row is where `{_repos_full_name}` comes from.
  const sources = [plan.operation === 'insert' ? row.after : null, row.scope];
  for (const values of sources) {
    for (const [key, value] of Object.entries(values ?? {})) {
      if (value === null || typeof value !== 'object') scope[key] = value;
    }
  }
  const id = plan.operation === 'insert' && endpoint.client_id ? clientId(plan, row) : row.id;
  if (id !== null) {
    scope.id = id;
    scope[endpoint.id_field] = id;
  }
  return scope;
}

/**
 * The id a create with `client_id` proposes: a UUID (version 4 layout) hashed from the row's idempotency key,
 * so every attempt at the row, in any tab, names the same record.
 */
export function clientId(plan: MutationPlan, row: PlannedRow): string {
  const key = idempotencyKey(plan, row);
  // Four FNV-1a passes with different offsets: 128 well-mixed bits, no async crypto needed.
  const words = [0x811c9dc5, 0x050c5d1f, 0x2f8f4d3b, 0x6b43a9b5].map((offset) => {
    let hash = offset;
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
    return hash.toString(16).padStart(8, '0');
  });
  const hex = words.join('');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Substitutes a path template, refusing to send a request with a placeholder nobody filled. */
export function fillPath(template: string, scope: Scope, what: string): string {
  const path = substitute(template.replace(/^\//, ''), scope, true);
  const missing = placeholdersIn(path);
  if (missing.length > 0) {
    throw new MutationError(
      'invalid_argument',
      `${what}: no value for ${missing.map((m) => `{${m}}`).join(', ')} in path "${template}".`,
    );
  }
  return path;
}

/** The API field path of a local column: `column_map` first, else `a__b` → `a.b`. */
export function apiPath(endpoint: WriteEndpointSpec, column: string): string[] {
  const mapped = endpoint.column_map[column];
  return mapped ? mapped.split('.') : column.split('__');
}

/** Local column values → the nested object the API takes (`address__city` → `{address: {city}}`). */
export function nestValues(endpoint: WriteEndpointSpec, values: Record<string, JsonValue>): Nested {
  const out: Nested = {};
  for (const [column, value] of Object.entries(values)) {
    const path = apiPath(endpoint, column);
    let node = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
      node = node[key] as Nested;
    }
    node[path[path.length - 1]!] = value;
  }
  return out;
}

/**
 * Stripe's form encoding: `a[b]=v`, `a[0]=v`; booleans and numbers as text; null (and an empty list) as an
 * empty string, which Stripe reads as "unset".
 */
export function formPairs(value: Nested | JsonValue, prefix = ''): [string, string][] {
  if (value === null) return prefix ? [[prefix, '']] : [];
  if (Array.isArray(value)) {
    if (value.length === 0) return prefix ? [[prefix, '']] : [];
    return value.flatMap((v, i) => formPairs(v, `${prefix}[${i}]`));
  }
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => formPairs(v, prefix ? `${prefix}[${k}]` : k));
  }
  return prefix ? [[prefix, String(value)]] : [];
}

/** The changed fields a row sends, as local columns: what SET assigns, or what VALUES gives minus path parts. */
export function changedValues(
  endpoint: WriteEndpointSpec,
  plan: MutationPlan,
  row: PlannedRow,
): Record<string, JsonValue> {
  const after = row.after ?? {};
  const inPath = new Set(placeholdersIn(endpoint.path));
  const out: Record<string, JsonValue> = {};
  for (const [column, value] of Object.entries(after)) {
    // `_`-columns are Dinobase's (a parent's key, `_dlt_id`), never fields of the API object.
    if (column.startsWith('_')) continue;
    if (plan.operation === 'insert') {
      if (inPath.has(column) || value === null) continue;
    } else if (!plan.columns.includes(column)) continue;
    out[column] = value;
  }
  return out;
}

/** Replaces `"{values}"` with the changed fields and `"{id}"`-style strings from the scope, keeping types. */
function fillVariables(template: unknown, scope: Scope, values: Nested): unknown {
  if (typeof template === 'string') {
    if (template === '{values}') return values;
    const whole = /^\{([a-zA-Z_][\w.]*)\}$/.exec(template);
    if (whole && scope[whole[1]!] !== undefined) return scope[whole[1]!];
    return substitute(template, scope);
  }
  if (Array.isArray(template)) return template.map((v) => fillVariables(v, scope, values));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillVariables(v, scope, values)]));
  }
  return template;
}

function baseHeaders(spec: ConnectorSpec): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.client.headers)) headers[key.toLowerCase()] = value;
  return headers;
}

/** The row's idempotency key: stable across resumes, so a resent create is recognised by the vendor. */
export function idempotencyKey(plan: MutationPlan, row: PlannedRow): string {
  return `${plan.mutation_id}:${row.index}`;
}

/** The write request for one row, in upstream terms (the route prepares the wire copy). */
export function writeRequest(
  spec: ConnectorSpec,
  route: Route,
  endpoint: WriteEndpointSpec,
  plan: MutationPlan,
  row: PlannedRow,
): PageRequest {
  const scope = rowScope(route, endpoint, plan, row);
  const where = `${plan.source}.${plan.table} row ${row.index}`;
  const path = fillPath(endpoint.path, scope, where);
  const request: PageRequest = {
    url: new URL(path, route.upstream),
    method: endpoint.method,
    headers: baseHeaders(spec),
  };
  if (endpoint.idempotency_header)
    request.headers[endpoint.idempotency_header.toLowerCase()] = idempotencyKey(plan, row);
  const values = nestValues(endpoint, changedValues(endpoint, plan, row));
  if (plan.operation === 'insert' && endpoint.client_id) values[endpoint.client_id] = clientId(plan, row);
  if (endpoint.graphql) {
    request.json = {
      query: endpoint.graphql.mutation,
      variables: fillVariables(endpoint.graphql.variables, scope, values),
    };
    return request;
  }
  if (endpoint.body === 'none' || plan.operation === 'delete') return request;
  const body: Nested = endpoint.body_wrapper ? { [endpoint.body_wrapper]: values } : values;
  if (endpoint.body === 'form') request.form = formPairs(body);
  else request.json = body;
  return request;
}

/**
 * The read of the live record before an update or delete, or null when the endpoint declares none.
 * `columns` are the local columns compared; `{columns}` becomes their API names, comma-separated.
 */
export function readRequest(
  spec: ConnectorSpec,
  route: Route,
  endpoint: WriteEndpointSpec,
  plan: MutationPlan,
  row: PlannedRow,
  columns: string[],
): PageRequest | null {
  const read = endpoint.read;
  if (!read) return null;
  const names = [...new Set(columns.map((c) => apiPath(endpoint, c)[0]!))];
  const scope: Scope = { ...rowScope(route, endpoint, plan, row), columns: names.join(',') };
  const where = `${plan.source}.${plan.table} row ${row.index}`;
  const request: PageRequest = {
    url: new URL(fillPath(read.path ?? 'graphql', scope, where), route.upstream),
    method: read.graphql ? 'POST' : 'GET',
    headers: baseHeaders(spec),
  };
  if (read.graphql) {
    request.json = {
      query: read.graphql.query,
      variables: fillVariables(read.graphql.variables, scope, {}),
    };
    return request;
  }
  for (const [key, template] of Object.entries(read.params)) {
    const value = substitute(String(template), scope);
    // HubSpot returns only the properties asked for; nothing to compare means its defaults will do.
    if (value !== '') request.url.searchParams.set(key, value);
  }
  return request;
}

// Reading answers.

/** GraphQL errors' text, with Linear's `userPresentableMessage` (the part naming the bad value) appended. */
function graphqlText(errors: unknown[]): string {
  return errors
    .filter(isRecord)
    .map((e) => {
      const message = typeof e.message === 'string' ? e.message : 'GraphQL error';
      const extensions = isRecord(e.extensions) ? e.extensions : {};
      const detail = extensions.userPresentableMessage;
      return typeof detail === 'string' && detail !== message ? `${message}: ${detail}` : message;
    })
    .join('; ');
}

/** The text of a GraphQL answer's errors, or null when it reports none. */
export function graphqlErrors(body: unknown): string | null {
  return isRecord(body) && Array.isArray(body.errors) && body.errors.length > 0
    ? graphqlText(body.errors)
    : null;
}

/** The record a `read` answered with, or null when it reported errors or sent no object. */
export function readRecord(
  read: NonNullable<WriteEndpointSpec['read']>,
  body: unknown,
): Record<string, unknown> | null {
  if (read.graphql && graphqlErrors(body) !== null) return null;
  const record = read.graphql
    ? getPath(body, read.graphql.data_path)
    : read.data_selector
      ? getPath(body, read.data_selector)
      : body;
  return isRecord(record) ? record : null;
}

/** The vendor's message plus any field-level errors it lists (GitHub's `errors: [{field, code}]`). */
export function vendorDetail(body: unknown, status: number): string {
  if (
    isRecord(body) &&
    Array.isArray(body.errors) &&
    body.errors.some((e) => isRecord(e) && typeof e.message === 'string')
  ) {
    return graphqlText(body.errors);
  }
  const message = vendorMessage(body) ?? `HTTP ${status}`;
  if (!isRecord(body) || !Array.isArray(body.errors)) return message;
  const fields = body.errors
    .filter(isRecord)
    .filter((e) => typeof e.field === 'string')
    .map((e) => `${String(e.field)} ${String(e.code ?? 'invalid')}`);
  return fields.length > 0 ? `${message} (${fields.join(', ')})` : message;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 ? '' : path.slice(0, i);
}
