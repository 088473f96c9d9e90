// Paginators as a small registry, each the way its vendor really pages; a spec names one by `type`.
import { SyncError } from '../errors.ts';
import { getPath } from './paths.ts';
import type { PageRequest, PageResponse } from './request.ts';
import type { PaginatorSpec } from './spec.ts';

export interface Paginator {
  /** Sets the first page's parameters. */
  init(request: PageRequest): void;
  /**
   * Points `request` at the next page and returns true, or returns false when this was the last page. Throws a
   * SyncError when the page says there is more but gives no way to reach it: ending there would drop records.
   */
  next(response: PageResponse, request: PageRequest): boolean;
}

type Factory<S> = (spec: S) => Paginator;

/** The caller (the fetcher) prefixes source, resource and page. */
function cannotContinue(why: string): SyncError {
  return new SyncError('bad_response', `${why}; stopping here would silently drop the remaining records.`);
}

/** A total from the body, or NaN when the spec names none or the body lacks it. */
function totalOf(body: unknown, path: string | undefined): number {
  if (!path) return NaN;
  const value = getPath(body, path);
  return typeof value === 'number' || typeof value === 'string' ? Number(value) : NaN;
}

/** Parses RFC 5988 `Link: <url>; rel="next", <url>; rel="last"`. */
export function parseLinkHeader(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of header?.split(',') ?? []) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match) for (const rel of match[2]!.split(/\s+/)) links[rel] = match[1]!;
  }
  return links;
}

export const paginators = {
  last_record_cursor: (spec) => ({
    init: () => undefined,
    next(response, request) {
      if (getPath(response.body, spec.has_more_path) !== true) return false;
      if (response.records.length === 0)
        throw cannotContinue(`the page is empty but ${spec.has_more_path} is true`);
      const last = getPath(response.records.at(-1), spec.record_field);
      if (last === undefined || last === null || last === '') {
        throw cannotContinue(
          `${spec.has_more_path} is true but the page's last record has no ${spec.record_field}`,
        );
      }
      request.url.searchParams.set(spec.cursor_param, String(last));
      return true;
    },
  }),
  json_cursor: (spec) => ({
    init: () => undefined,
    next(response, request) {
      const cursor = getPath(response.body, spec.cursor_path);
      if (cursor === undefined || cursor === null || cursor === '') return false;
      if (spec.location === 'body') request.json = { ...request.json, [spec.cursor_param]: cursor };
      else request.url.searchParams.set(spec.cursor_param, String(cursor));
      return true;
    },
  }),
  header_link: (spec) => ({
    init: () => undefined,
    next(response, request) {
      const next = parseLinkHeader(response.headers.get('link'))[spec.rel];
      if (!next) return false;
      request.url = new URL(next, request.url);
      return true;
    },
  }),
  json_link: (spec) => ({
    init: () => undefined,
    next(response, request) {
      const next = getPath(response.body, spec.link_path);
      if (typeof next !== 'string' || next === '') return false;
      // Relative links resolve against this page; the transport then checks where the result points.
      request.url = new URL(next, request.url);
      return true;
    },
  }),
  offset: (spec) => {
    let offset = 0;
    return {
      init(request) {
        request.url.searchParams.set(spec.limit_param, String(spec.limit));
        request.url.searchParams.set(spec.offset_param, '0');
      },
      next(response, request) {
        offset += response.records.length;
        const total = totalOf(response.body, spec.total_path);
        if (Number.isFinite(total)) {
          // With a total, a short page is no end: APIs cap the limit below what was asked for.
          if (offset >= total) return false;
          if (response.records.length === 0)
            throw cannotContinue(`the page is empty but total is ${total} and ${offset} were seen`);
        } else if (response.records.length < spec.limit) return false;
        request.url.searchParams.set(spec.offset_param, String(offset));
        return true;
      },
    };
  },
  page_number: (spec) => {
    let page = spec.base_page;
    let seen = 0;
    return {
      init(request) {
        request.url.searchParams.set(spec.page_param, String(page));
      },
      next(response, request) {
        seen += response.records.length;
        const total = totalOf(response.body, spec.total_path);
        if (Number.isFinite(total)) {
          if (seen >= total) return false;
          if (response.records.length === 0)
            throw cannotContinue(`the page is empty but total is ${total} and ${seen} were seen`);
        } else if (response.records.length === 0) return false;
        page += 1;
        request.url.searchParams.set(spec.page_param, String(page));
        return true;
      },
    };
  },
  graphql_relay: (spec) => ({
    init: () => undefined,
    next(response, request) {
      const info = getPath(response.body, spec.page_info_path) as
        { hasNextPage?: boolean; endCursor?: string } | undefined;
      if (!info?.hasNextPage) return false;
      if (!info.endCursor) throw cannotContinue('hasNextPage is true but endCursor is missing');
      const variables = (request.json?.variables ?? {}) as Record<string, unknown>;
      request.json = { ...request.json, variables: { ...variables, [spec.cursor_variable]: info.endCursor } };
      return true;
    },
  }),
  single_page: () => ({ init: () => undefined, next: () => false }),
} satisfies { [K in PaginatorSpec['type']]: Factory<Extract<PaginatorSpec, { type: K }>> };

export type PaginatorType = keyof typeof paginators;

export function createPaginator(spec: PaginatorSpec): Paginator {
  return (paginators[spec.type] as Factory<PaginatorSpec>)(spec);
}
