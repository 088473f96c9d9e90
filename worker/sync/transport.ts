// How sync requests reach a vendor: straight to its API with the worker's credentials, or through the proxy relay.
import { z } from 'zod';
import { applyAuth } from '../connectors/auth.ts';
import type { Scope } from '../connectors/paths.ts';
import { cloneRequest, type PageRequest } from '../connectors/request.ts';
import type { ConnectorSpec } from '../connectors/spec.ts';
import { SyncError, errorMessage } from '../errors.ts';

/** What a transport needs to know about one source to route its requests. */
export interface RouteTarget {
  /** The source's name (the relay addresses sources by it). */
  source: string;
  spec: ConnectorSpec;
  /** Replaces the connector's base_url in direct mode; in relay mode the proxy's base_url is used. */
  baseUrl?: string | null;
  /** The worker's credentials: applied in direct mode, only their non-secret fields are used in relay mode. */
  credentials?: Scope;
  signal?: AbortSignal;
}

/**
 * One source's requests. Page requests and paginators work in upstream terms (the vendor's own URLs), so
 * relative and absolute pagination links resolve the same way in both modes; `prepare` makes the wire copy.
 */
export interface Route {
  /** The vendor API base (absolute, ends with `/`): endpoint paths and pagination links resolve against it. */
  readonly upstream: URL;
  /** Placeholder values for paths, params and bodies. */
  readonly scope: Scope;
  /**
   * The request to send for a page request in upstream terms, with auth applied (direct) or its URL moved
   * under the relay (relay). Throws a SyncError for a URL the source may not reach, before any credential
   * is attached.
   */
  prepare(request: PageRequest, where: string, page: number): PageRequest;
}

export interface Transport {
  readonly mode: 'direct' | 'relay';
  /** What page requests are sent with. */
  readonly fetch: typeof fetch;
  route(target: RouteTarget): Promise<Route>;
}

/** Ensures the trailing `/` that makes relative paths resolve under the base rather than beside it. */
function asBase(url: string): URL {
  const base = new URL(url);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return base;
}

function refuse(where: string, page: number, target: string): SyncError {
  const what = page > 1 ? 'follow a pagination link' : 'send a request';
  return new SyncError('bad_response', `${where}: refused to ${what} to ${target}.`);
}

/** Requests go to the vendor with the worker's credentials (Node, tests, the built-in sandboxes). */
export function directTransport(fetchImpl: typeof fetch): Transport {
  return {
    mode: 'direct',
    fetch: fetchImpl,
    async route({ source, spec, baseUrl, credentials = {} }) {
      const upstream = asBase(baseUrl ?? spec.client.base_url);
      return {
        upstream,
        scope: credentials,
        prepare(request, where, page) {
          // A page must never carry our credentials to a host the connector does not name.
          const { url } = request;
          if (url.origin !== upstream.origin && !spec.client.allowed_hosts.includes(url.host))
            throw refuse(where, page, `another host (${url.host})`);
          const wire = cloneRequest(request);
          applyAuth(spec.client.auth, credentials, wire, source);
          return wire;
        },
      };
    },
  };
}

export interface RelayOptions {
  /** The Dinobase proxy's origin, e.g. `http://127.0.0.1:8787` (the page's own origin in the browser). */
  origin: string;
  fetch: typeof fetch;
}

/** `{origin}/api/relay/{source}/`: the relay forwards what follows to the source's upstream base. */
export function relayBase(origin: string, source: string): URL {
  return new URL(`/api/relay/${encodeURIComponent(source)}/`, origin);
}

/**
 * Maps an upstream URL to its relay URL, or returns null when it is not under the upstream base (another
 * host, or another path on the same host). The URL parser has already resolved `.`/`..` segments (also
 * percent-encoded ones), so a link cannot climb out of the base after this check.
 */
export function toRelayUrl(url: URL, upstream: URL, relay: URL): URL | null {
  if (url.origin !== upstream.origin || !url.pathname.startsWith(upstream.pathname)) return null;
  const rest = url.pathname.slice(upstream.pathname.length);
  return new URL(`${relay.pathname}${rest}${url.search}`, relay.origin);
}

/** Requests go through the proxy, which holds the credentials and injects them server-side (the browser). */
export function relayTransport(options: RelayOptions): Transport {
  return {
    mode: 'relay',
    fetch: options.fetch,
    async route({ source, spec, credentials = {}, signal }) {
      const info = await describeProxySource(options, source, signal);
      if (info.type !== spec.name) {
        throw new SyncError(
          'invalid_argument',
          `Source '${source}' is a ${info.type} source on the proxy but a ${spec.name} source here.`,
        );
      }
      // The proxy's base is what the relay forwards to, so it is the one links must be compared with.
      const upstream = asBase(info.base_url);
      const relay = relayBase(options.origin, source);
      const open = spec.credentials.filter((c) => !c.secret).map((c) => c.name);
      const scope: Scope = Object.fromEntries(Object.entries(credentials).filter(([k]) => open.includes(k)));
      return {
        upstream,
        scope: { ...scope, ...info.settings },
        prepare(request, where, page) {
          const url = toRelayUrl(request.url, upstream, relay);
          if (!url) {
            const target =
              request.url.origin === upstream.origin
                ? `a path outside ${upstream.href} (${request.url.host}${request.url.pathname})`
                : `another host (${request.url.host})`;
            throw refuse(where, page, target);
          }
          const wire = cloneRequest(request);
          wire.url = url;
          // The proxy drops any Authorization header anyway; not sending one keeps the contract obvious.
          delete wire.headers.authorization;
          return wire;
        },
      };
    },
  };
}

/** `GET /api/sources/{name}` on the proxy: never a secret, only what is set and what is missing. */
export const ProxySource = z.object({
  name: z.string(),
  type: z.string(),
  base_url: z.url(),
  sandbox: z.boolean().default(false),
  credentials_set: z.boolean(),
  missing: z.array(z.string()).default([]),
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});
export type ProxySource = z.infer<typeof ProxySource>;

/** The proxy's view of a source, or a SyncError saying what to fix (add it, set its keys, start the proxy). */
export async function describeProxySource(
  options: RelayOptions,
  source: string,
  signal?: AbortSignal,
): Promise<ProxySource> {
  const url = new URL(`/api/sources/${encodeURIComponent(source)}`, options.origin);
  let response: Response;
  try {
    response = await options.fetch(url, { headers: { accept: 'application/json' }, signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new SyncError(
      'network_error',
      `Cannot reach the Dinobase proxy at ${options.origin} to sync '${source}': ${errorMessage(error)}`,
      { cause: error },
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status === 404) {
    throw new SyncError(
      'not_found',
      `Source '${source}' has no credentials on the proxy. Add it under Sources.`,
    );
  }
  if (!response.ok) {
    const detail = (body as { error?: unknown } | undefined)?.error;
    throw new SyncError(
      'http_error',
      `The Dinobase proxy answered HTTP ${response.status} for source '${source}'${typeof detail === 'string' ? `: ${detail}` : ''}.`,
    );
  }
  const parsed = ProxySource.safeParse(body);
  if (!parsed.success) {
    throw new SyncError(
      'bad_response',
      `The Dinobase proxy sent an unreadable description of source '${source}': ${z.prettifyError(parsed.error)}`,
    );
  }
  if (!parsed.data.credentials_set) {
    const missing = parsed.data.missing;
    throw new SyncError(
      'invalid_argument',
      `Source '${source}' is missing credentials on the proxy${missing.length > 0 ? ` (${missing.join(', ')})` : ''}. Set them under Sources.`,
    );
  }
  return parsed.data;
}
