// Walks one resource of a connector: builds each page request, sends it through the transport, yields its records.
import { parseDuration } from '../../common/duration.ts';
import { yieldToEventLoop } from '../../common/event-loop.ts';
import { createPaginator } from '../connectors/paginators.ts';
import { getPath, substitute, substituteDeep, type Scope } from '../connectors/paths.ts';
import type { PageRequest } from '../connectors/request.ts';
import type { ConnectorSpec, EndpointSpec, ResourceSpec } from '../connectors/spec.ts';
import { DinobaseError, SyncError } from '../errors.ts';
import { compareCursor, formatStart, toCursor, type CursorValue } from './cursor.ts';
import { send, type HttpOptions, type RetryTuning } from './http.ts';
import type { Route } from './transport.ts';

export interface FetchPlan {
  spec: ConnectorSpec;
  source: string;
  /** Where requests go and how they are authorised (direct or through the proxy relay). */
  route: Route;
  http: HttpOptions;
}

export interface PageOptions {
  /** Start value of the incremental cursor (already the stored or initial value). */
  start?: CursorValue;
  /** Extra placeholder values (a parent record's fields). */
  scope?: Scope;
  onPage?: (records: number) => void;
}

/** A REST endpoint or GraphQL query, resolved to one request shape. */
interface Target {
  endpoint: EndpointSpec;
  records: (body: unknown) => unknown;
  graphql?: { query: string; variables: Record<string, unknown> };
}

function targetOf(resource: Pick<ResourceSpec, 'endpoint' | 'graphql'>): Target {
  if (resource.graphql) {
    const g = resource.graphql;
    return {
      endpoint: {
        path: g.path,
        method: 'POST',
        params: {},
        paginator: { type: 'graphql_relay', page_info_path: g.page_info_path, cursor_variable: 'after' },
      },
      records: (body) => getPath(body, g.data_path),
      graphql: { query: g.query, variables: g.variables },
    };
  }
  const endpoint = resource.endpoint!;
  return {
    endpoint,
    records: (body) => {
      if (endpoint.data_selector) return getPath(body, endpoint.data_selector);
      if (Array.isArray(body)) return body;
      return body && typeof body === 'object' ? Object.values(body).find(Array.isArray) : undefined;
    },
  };
}

/**
 * Empty pages in a row that each say there is more are followed this far; the next one fails the sync: some APIs (search
 * indexes, filtered feeds) do return a few empty pages mid-walk, but an endless run is a broken cursor.
 */
export const MAX_EMPTY_PAGES = 5;

/** The spec's retry budget (`client.retry.budget`) under the engine's tuning; the tuning's own budget wins. */
export function retryTuning(spec: ConnectorSpec, tuning: RetryTuning = {}): RetryTuning {
  const seconds = spec.client.retry ? parseDuration(spec.client.retry.budget) : null;
  return { ...(seconds === null ? {} : { budgetMs: seconds * 1000 }), ...tuning };
}

/** What identifies a page request: asking for the same one twice means the cursor stopped moving. */
function requestKey(request: PageRequest): string {
  // A GraphQL query's text is the same on every page and can be long; only its variables move.
  const { query: _query, ...rest } = request.json ?? {};
  return `${request.method} ${request.url.toString()} ${JSON.stringify(rest)}`;
}

export function secretParams(spec: ConnectorSpec): string[] {
  return spec.client.auth.type === 'api_key' && spec.client.auth.location === 'query'
    ? [spec.client.auth.name]
    : [];
}

/**
 * Yields one array of records per page. The next page is requested before the current one is yielded, so
 * the caller's normalising overlaps the network wait.
 */
export async function* fetchPages(
  plan: FetchPlan,
  resource: Pick<ResourceSpec, 'name' | 'endpoint' | 'graphql' | 'incremental'>,
  options: PageOptions = {},
): AsyncGenerator<unknown[]> {
  const target = targetOf(resource);
  const where = `${plan.source}.${resource.name}`;
  const incremental = resource.incremental;
  const start =
    options.start === undefined || !incremental ? undefined : formatStart(options.start, incremental.format);
  const scope: Scope = { ...plan.route.scope, ...options.scope, 'incremental.start_value': start };
  const path = substitute(target.endpoint.path.replace(/^\//, ''), scope, true);
  // The request stays in upstream terms so paginators resolve links as the vendor meant them.
  const request: PageRequest = {
    url: new URL(path, plan.route.upstream),
    method: target.endpoint.method,
    headers: {},
  };
  const params = { ...plan.spec.resource_defaults.params, ...target.endpoint.params };
  if (target.graphql) {
    request.json = {
      query: target.graphql.query,
      variables: substituteDeep(target.graphql.variables, scope),
    };
  } else {
    for (const [key, value] of Object.entries(params))
      request.url.searchParams.set(key, substitute(String(value), scope));
    if (target.endpoint.json !== undefined)
      request.json = substituteDeep(target.endpoint.json, scope) as Record<string, unknown>;
  }
  if (incremental?.param && start !== undefined)
    request.url.searchParams.set(incremental.param, String(start));
  for (const [key, value] of Object.entries(plan.spec.client.headers))
    request.headers[key.toLowerCase()] = value;
  const paginator = createPaginator(target.endpoint.paginator ?? plan.spec.client.paginator);
  paginator.init(request);

  let page = 1;
  let emptyRun = 0;
  const asked = new Map<string, number>([[requestKey(request), 1]]);
  const advance = (response: Awaited<typeof pending>, records: unknown[]): boolean => {
    let more: boolean;
    try {
      more = paginator.next({ ...response, records }, request);
    } catch (error) {
      if (error instanceof DinobaseError)
        throw new SyncError(error.code, `${where}: page ${page}: ${error.message}`);
      throw error;
    }
    if (!more) return false;
    emptyRun = records.length === 0 ? emptyRun + 1 : 0;
    if (emptyRun > MAX_EMPTY_PAGES) {
      throw new SyncError(
        'bad_response',
        `${where}: page ${page}: ${emptyRun} empty pages in a row that each say there is more; giving up rather than loop.`,
      );
    }
    const key = requestKey(request);
    const earlier = asked.get(key);
    if (earlier !== undefined) {
      throw new SyncError(
        'bad_response',
        `${where}: page ${page}: the next page would repeat page ${earlier}'s request (the cursor did not advance); giving up rather than loop.`,
      );
    }
    asked.set(key, page + 1);
    return true;
  };
  let pending = send(
    plan.route.prepare(request, where, page),
    { source: plan.source, resource: resource.name, page },
    plan.http,
  );
  for (;;) {
    const response = await pending;
    const records = target.records(response.body);
    if (!Array.isArray(records)) {
      const selector = target.graphql
        ? 'the GraphQL data path'
        : (target.endpoint.data_selector ?? 'the response');
      throw new SyncError('bad_response', `${where}: page ${page} has no list of records at ${selector}.`);
    }
    let stop = false;
    let kept = records;
    if (incremental?.row_order === 'desc' && options.start !== undefined) {
      kept = records.filter((r) => {
        const value = toCursor(getPath(r, incremental.cursor_path));
        return value === undefined || compareCursor(value, options.start!) >= 0;
      });
      stop = kept.length < records.length;
    }
    const more = !stop && advance(response, records);
    if (more) {
      page += 1;
      pending = send(
        plan.route.prepare(request, where, page),
        { source: plan.source, resource: resource.name, page },
        plan.http,
      );
      // The caller may stop early; a prefetch failing then must not surface as an unhandled rejection.
      pending.catch(() => undefined);
      // Let the HTTP client put the request on the wire before the caller's CPU-bound normalising starts.
      await yieldToEventLoop();
    }
    options.onPage?.(kept.length);
    yield kept;
    if (!more) return;
  }
}
