// The relay: forwards the worker's API calls to a source's own host, injecting its credentials server-side.
import type { Context } from 'hono';
import { applyAuth } from '../worker/connectors/auth.ts';
import type { PageRequest } from '../worker/connectors/request.ts';
import type { ConnectorSpec } from '../worker/connectors/spec.ts';
import { hasControlChars, ProxyError } from './errors.ts';
import { securityHeaders } from './headers.ts';
import type { ResolvedSource, SourceStore } from './sources.ts';

/** One upstream GET or HEAD, already authorised: where it goes, with what, until when. */
export interface UpstreamExchange {
  url: URL;
  method: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** The response headers the client may see, out of the vendor's (the allowlist below, for the pipe's answer). */
  keep(headers: Iterable<[string, string]>): [string, string][];
}

/**
 * Sends an exchange upstream and streams the answer into the server's own response, bypassing web Responses (see
 * relay-node.ts). Resolves with the response to return to Hono, with where a redirect points (nothing written
 * yet), or with null when it cannot serve this request (then `fetch` does); rejects as `fetch` would.
 */
export type UpstreamPipe = (
  c: Context,
  exchange: UpstreamExchange,
) => Promise<{ response: Response } | { redirect: string } | null>;

export interface RelayOptions {
  store: SourceStore;
  /** The upstream transport; tests and the sandbox use the real fetch on loopback. */
  fetch?: typeof fetch;
  /** Streams GET and HEAD answers straight through where the server can (Node: relay-node.ts). */
  pipe?: UpstreamPipe;
  /** The whole upstream exchange, headers and body (default 30 s). */
  timeoutMs?: number;
  /** Same-origin redirects followed at most this many times; others are refused. */
  maxRedirects?: number;
}

/** Request headers a client may send upstream; everything else (cookies, auth, hop-by-hop, Origin) is dropped. */
const REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
];

/** Response headers the worker needs: paging, rate limits, caching validators. */
const RESPONSE_HEADERS = new Set([
  'content-type',
  'retry-after',
  'link',
  'etag',
  'last-modified',
  'request-id',
  'x-request-id',
]);
const RESPONSE_PREFIXES = ['x-ratelimit-', 'ratelimit-'];
/** Kept as well when the pipe passes the vendor's bytes through untouched (compressed, with their length). */
const PIPED_HEADERS = new Set(['content-encoding', 'content-length']);

const fail = (message: string) => new ProxyError(400, 'bad_relay_path', message);

/**
 * Checks the path the client asked for, as it appears percent-encoded in the URL. Anything that could move
 * the request off the source's base URL is refused, rather than normalised, so a probe gets a clear answer.
 */
export function checkRelayPath(raw: string): void {
  if (/[\\]|%5c/i.test(raw)) throw fail('Relay paths may not contain backslashes.');
  if (/%2e|%2f|%00/i.test(raw)) throw fail('Relay paths may not contain encoded dots, slashes or NUL bytes.');
  if (hasControlChars(raw)) throw fail('Relay paths may not contain control characters.');
  if (raw.startsWith('/'))
    throw fail('Relay paths are relative to the source; an absolute or "//" URL is refused.');
  if (raw.includes('@')) throw fail('Relay paths may not contain "@" (user info).');
  const segments = raw.split('/');
  if (segments.some((s) => s === '.' || s === '..'))
    throw fail('Relay paths may not contain "." or ".." segments.');
  if (segments[0]!.includes(':'))
    throw fail('Relay paths are relative to the source; a URL scheme is refused.');
}

/** The upstream URL for a relay path: always under the source's base URL, on one of its allowed hosts. */
export function upstreamUrl(source: ResolvedSource, rawPath: string, search: string): URL {
  checkRelayPath(rawPath);
  const target = new URL(rawPath + search, source.baseUrl);
  const base = source.baseUrl;
  if (
    target.origin !== base.origin ||
    !target.pathname.startsWith(base.pathname) ||
    target.username ||
    target.password ||
    !source.allowedHosts.includes(target.host)
  ) {
    throw new ProxyError(403, 'host_not_allowed', `The relay only reaches ${base.origin}${base.pathname}.`);
  }
  return target;
}

/** Per connector spec (fixed for the process), so a page does not rebuild the set. */
const allowedBySpec = new WeakMap<ConnectorSpec, ReadonlySet<string>>();

function allowedRequestHeaders(spec: ConnectorSpec): ReadonlySet<string> {
  let allowed = allowedBySpec.get(spec);
  if (!allowed) {
    allowed = new Set([
      ...REQUEST_HEADERS,
      ...Object.keys(spec.client.headers).map((h) => h.toLowerCase()),
      ...spec.write_endpoints.flatMap((w) =>
        w.idempotency_header ? [w.idempotency_header.toLowerCase()] : [],
      ),
    ]);
    allowedBySpec.set(spec, allowed);
  }
  return allowed;
}

function forwardedHeaders(incoming: Headers, source: ResolvedSource): Record<string, string> {
  const allowed = allowedRequestHeaders(source.spec);
  const out: Record<string, string> = {};
  for (const [name, value] of incoming) if (allowed.has(name)) out[name] = value;
  // The connector's fixed headers (API version, media type) win over a client's generic ones.
  for (const [name, value] of Object.entries(source.spec.client.headers)) out[name.toLowerCase()] = value;
  return out;
}

/** The vendor's response headers a client may see (lower-case names), and `cache-control: no-store`. */
function keptHeaders(upstream: Iterable<[string, string]>, piped = false): [string, string][] {
  const out: [string, string][] = [['cache-control', 'no-store']];
  for (const [name, value] of upstream) {
    const lower = name.toLowerCase();
    if (
      RESPONSE_HEADERS.has(lower) ||
      RESPONSE_PREFIXES.some((p) => lower.startsWith(p)) ||
      (piped && PIPED_HEADERS.has(lower))
    )
      out.push([lower, value]);
  }
  return out;
}

/**
 * All the headers a piped answer is written with: the vendor's kept ones, those the app's middleware set before
 * the relay ran (CORS for an allowed origin) and the security headers it would set after, which a response
 * written by the pipe never reaches.
 */
function pipedHeaders(c: Context, upstream: Iterable<[string, string]>): [string, string][] {
  const kept = keptHeaders(upstream, true);
  const names = new Set(kept.map(([name]) => name));
  for (const [name, value] of c.res.headers) if (!names.has(name)) kept.push([name, value]);
  const type = kept.find(([name]) => name === 'content-type')?.[1] ?? '';
  for (const [name, value] of securityHeaders(type, false)) kept.push([name.toLowerCase(), value]);
  return kept;
}

export function createRelay(options: RelayOptions) {
  const upstreamFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRedirects = options.maxRedirects ?? 3;

  return async function relay(c: Context): Promise<Response> {
    const name = c.req.param('source') ?? '';
    const source = await options.store.resolve(name);
    if (!source) {
      throw new ProxyError(
        404,
        'unknown_source',
        `No source '${name.slice(0, 64)}' on this proxy. Add it first.`,
      );
    }
    if (!source.summary.credentials_set) {
      throw new ProxyError(
        409,
        'credentials_missing',
        `Source '${name}' has no ${source.summary.missing.join(', ')} yet. Add the credentials first.`,
      );
    }
    const url = new URL(c.req.url);
    const prefix = `/api/relay/${encodeURIComponent(name)}/`;
    if (!url.pathname.startsWith(prefix)) throw fail(`Relay paths look like ${prefix}<path>.`);
    const headers = forwardedHeaders(c.req.raw.headers, source);
    /** Auth is applied to each URL fetched, so a followed redirect keeps a query-string key. */
    const authorised = (target: URL): PageRequest => {
      const request: PageRequest = { url: new URL(target), method: 'GET', headers: { ...headers } };
      applyAuth(source.spec.client.auth, source.credentials, request, name);
      return request;
    };

    const method = c.req.method;
    const hasBody = !['GET', 'HEAD'].includes(method);
    const body = hasBody ? await c.req.arrayBuffer() : undefined;
    const signal = AbortSignal.timeout(timeoutMs);
    let target = upstreamUrl(source, url.pathname.slice(prefix.length), url.search);
    const failed = (error: unknown) => {
      if (signal.aborted) {
        return new ProxyError(
          504,
          'upstream_timeout',
          `${target.host} did not answer within ${timeoutMs} ms.`,
        );
      }
      const reason =
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
      return new ProxyError(
        502,
        'upstream_unreachable',
        `Could not reach ${target.host}: ${reason.slice(0, 200)}`,
      );
    };
    /** Where a redirect may be followed to: the same base, within the hops allowed; else the relay refuses. */
    const follow = (location: string, hop: number): URL => {
      const next = URL.canParse(location, target) ? new URL(location, target) : null;
      const sameBase =
        next !== null &&
        next.origin === source.baseUrl.origin &&
        next.pathname.startsWith(source.baseUrl.pathname) &&
        !next.username &&
        !next.password;
      if (!sameBase || hop >= maxRedirects || hasBody) {
        throw new ProxyError(
          502,
          'redirect_refused',
          `${target.host} redirected to ${next ? next.host : 'an unreadable location'}; the relay does not follow redirects off ${source.baseUrl.host}${source.baseUrl.pathname}.`,
        );
      }
      return next;
    };
    for (let hop = 0; ; hop++) {
      const request = authorised(target);
      if (options.pipe && !hasBody) {
        const keep = (upstream: Iterable<[string, string]>) => pipedHeaders(c, upstream);
        const piped = await options
          .pipe(c, { url: request.url, method, headers: request.headers, signal, keep })
          .catch((error: unknown) => {
            throw failed(error);
          });
        if (piped && 'redirect' in piped) {
          target = follow(piped.redirect, hop);
          continue;
        }
        if (piped) return piped.response;
      }
      let upstream: Response;
      try {
        upstream = await upstreamFetch(request.url, {
          method,
          headers: request.headers,
          body: body && body.byteLength > 0 ? body : undefined,
          redirect: 'manual',
          signal,
        });
      } catch (error) {
        throw failed(error);
      }
      const location = upstream.headers.get('location');
      if (upstream.status >= 300 && upstream.status < 400 && location) {
        await upstream.body?.cancel();
        target = follow(location, hop);
        continue;
      }
      return new Response(method === 'HEAD' ? null : upstream.body, {
        status: upstream.status,
        headers: keptHeaders(upstream.headers),
      });
    }
  };
}
