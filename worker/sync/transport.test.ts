// Transports: relay URL translation and refusals, no auth in relay mode, proxy source errors, paging through a relay.
import { describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../connectors/registry.ts';
import type { PageRequest } from '../connectors/request.ts';
import type { ConnectorSpecInput } from '../connectors/spec.ts';
import { SyncError } from '../errors.ts';
import { ManualClock } from '../testing.ts';
import { fetchPages, type FetchPlan } from './fetcher.ts';
import { directTransport, relayBase, relayTransport, toRelayUrl, type Transport } from './transport.ts';

const ORIGIN = 'http://127.0.0.1:8787';

const spec = new ConnectorRegistry().add({
  name: 'acme',
  description: 'Acme CRM',
  credentials: [{ name: 'token' }, { name: 'region', secret: false }],
  client: {
    base_url: 'https://api.acme.io/v2/',
    allowed_hosts: ['api.acme.io', 'files.acme.io'],
    auth: { type: 'bearer', token: '{token}' },
    paginator: { type: 'json_link', link_path: 'paging.next.link' },
  },
  resources: [{ name: 'accounts', endpoint: { path: 'accounts', data_selector: 'results' } }],
} satisfies ConnectorSpecInput);

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
}

/** A recording fetch: answers from `handle` and remembers every request the transport made. */
function recorder(handle: (url: URL) => Response) {
  const seen: Seen[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    seen.push({
      url: url.href,
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
    });
    return handle(url);
  };
  return { seen, fetch: fetchImpl };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const described = (overrides: Record<string, unknown> = {}) => ({
  name: 'acme',
  type: 'acme',
  base_url: 'https://api.acme.io/v2/',
  sandbox: false,
  credentials_set: true,
  missing: [],
  settings: { region: 'eu' },
  ...overrides,
});

const get = (url: string): PageRequest => ({ url: new URL(url), method: 'GET', headers: {} });

describe('toRelayUrl', () => {
  const upstream = new URL('https://api.github.com/');
  const relay = relayBase(ORIGIN, 'github');

  it('moves an absolute upstream link under the relay, keeping its query and encoded characters', () => {
    expect(relay.href).toBe(`${ORIGIN}/api/relay/github/`);
    const link = new URL('https://api.github.com/repositories/1/issues?page=2&q=a%20b&labels=x%2Cy');
    expect(toRelayUrl(link, upstream, relay)?.href).toBe(
      `${ORIGIN}/api/relay/github/repositories/1/issues?page=2&q=a%20b&labels=x%2Cy`,
    );
    expect(
      toRelayUrl(new URL('https://api.github.com/repos/acme%2Fwidgets/issues'), upstream, relay)?.href,
    ).toBe(`${ORIGIN}/api/relay/github/repos/acme%2Fwidgets/issues`);
  });

  it('keeps a sandbox base path out of the relay path', () => {
    const sandbox = new URL(`${ORIGIN}/sandbox/github/`);
    const link = new URL(`${ORIGIN}/sandbox/github/repositories/1/issues?page=2`);
    expect(toRelayUrl(link, sandbox, relay)?.href).toBe(
      `${ORIGIN}/api/relay/github/repositories/1/issues?page=2`,
    );
    // The same host but another path (another sandbox, or the relay itself) is not this source's API.
    expect(toRelayUrl(new URL(`${ORIGIN}/sandbox/stripe/v1/customers`), sandbox, relay)).toBeNull();
    expect(toRelayUrl(new URL(`${ORIGIN}/api/relay/stripe/v1/customers`), sandbox, relay)).toBeNull();
    expect(toRelayUrl(new URL(`${ORIGIN}/sandbox/githubx/repos`), sandbox, relay)).toBeNull();
  });

  it('refuses other hosts, ports and schemes', () => {
    expect(toRelayUrl(new URL('https://evil.example.com/repositories/1'), upstream, relay)).toBeNull();
    expect(toRelayUrl(new URL('https://api.github.com:8443/repositories/1'), upstream, relay)).toBeNull();
    expect(toRelayUrl(new URL('http://api.github.com/repositories/1'), upstream, relay)).toBeNull();
  });

  it('never lets `..` (plain or percent-encoded) climb out of the base', () => {
    const base = new URL('https://api.acme.io/v2/');
    for (const link of [
      'https://api.acme.io/v2/../admin/users',
      'https://api.acme.io/v2/%2e%2e/admin/users',
      'https://api.acme.io/v2/accounts/../../admin',
    ]) {
      expect(toRelayUrl(new URL(link), base, relay), link).toBeNull();
    }
    // Inside the base, `..` is just normalised away.
    expect(toRelayUrl(new URL('https://api.acme.io/v2/a/../accounts?x=1'), base, relay)?.href).toBe(
      `${ORIGIN}/api/relay/github/accounts?x=1`,
    );
  });

  it('encodes the source name as one path segment', () => {
    expect(relayBase(ORIGIN, 'my crm/eu').href).toBe(`${ORIGIN}/api/relay/my%20crm%2Feu/`);
  });
});

describe('relayTransport', () => {
  const proxy = () =>
    recorder((url) =>
      url.pathname === '/api/sources/acme'
        ? json(described())
        : json({ error: 'nope', code: 'not_found' }, 404),
    );

  it('asks the proxy for the upstream base and settings, and never applies auth', async () => {
    const { seen, fetch } = proxy();
    const route = await relayTransport({ origin: ORIGIN, fetch }).route({
      source: 'acme',
      spec,
      credentials: { token: 'secret-token', region: 'us' },
    });
    expect(seen.map((s) => s.url)).toEqual([`${ORIGIN}/api/sources/acme`]);
    expect(route.upstream.href).toBe('https://api.acme.io/v2/');
    // Secret credentials never become placeholders; the proxy's settings win over local non-secret ones.
    expect(route.scope).toEqual({ region: 'eu' });
    const request = get('https://api.acme.io/v2/accounts?limit=10');
    request.headers.authorization = 'Bearer leaked';
    const wire = route.prepare(request, 'acme.accounts', 1);
    expect(wire.url.href).toBe(`${ORIGIN}/api/relay/acme/accounts?limit=10`);
    expect(wire.headers).toEqual({});
    // The page request itself stays in upstream terms for the paginator.
    expect(request.url.href).toBe('https://api.acme.io/v2/accounts?limit=10');
  });

  it('refuses links to another host or outside the base, naming them', async () => {
    const route = await relayTransport({ origin: ORIGIN, fetch: proxy().fetch }).route({
      source: 'acme',
      spec,
    });
    // allowed_hosts does not help in relay mode: the relay only reaches the source's own base.
    expect(() => route.prepare(get('https://files.acme.io/v2/accounts'), 'acme.accounts', 2)).toThrow(
      'acme.accounts: refused to follow a pagination link to another host (files.acme.io).',
    );
    expect(() => route.prepare(get('https://api.acme.io/v1/accounts'), 'acme.accounts', 2)).toThrow(
      'acme.accounts: refused to follow a pagination link to a path outside https://api.acme.io/v2/ (api.acme.io/v1/accounts).',
    );
  });

  it.each([
    [
      json({ error: "Unknown source 'acme'", code: 'not_found' }, 404),
      /^Source 'acme' has no credentials on the proxy\. Add it under Sources\.$/,
    ],
    [
      json(described({ credentials_set: false, missing: ['token', 'region'] })),
      /^Source 'acme' is missing credentials on the proxy \(token, region\)\. Set them under Sources\.$/,
    ],
    [
      json(described({ type: 'stripe' })),
      /^Source 'acme' is a stripe source on the proxy but a acme source here\.$/,
    ],
    [
      json({ error: 'Sign in first', code: 'unauthorized' }, 401),
      /HTTP 401 for source 'acme': Sign in first\.$/,
    ],
    [new Response('<html>', { status: 200 }), /unreadable description of source 'acme'/],
  ])('explains a proxy answer it cannot sync with (%#)', async (response, message) => {
    const { fetch } = recorder(() => response);
    const error = await relayTransport({ origin: ORIGIN, fetch })
      .route({ source: 'acme', spec })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).message).toMatch(message);
  });

  it('says when the proxy cannot be reached', async () => {
    const fetch: typeof globalThis.fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(relayTransport({ origin: ORIGIN, fetch }).route({ source: 'acme', spec })).rejects.toThrow(
      `Cannot reach the Dinobase proxy at ${ORIGIN} to sync 'acme': fetch failed`,
    );
  });
});

describe('directTransport', () => {
  it('applies auth and allows the connector’s own hosts, refusing others before attaching credentials', async () => {
    const route = await directTransport(globalThis.fetch).route({
      source: 'acme',
      spec,
      credentials: { token: 't0k' },
    });
    expect(route.upstream.href).toBe('https://api.acme.io/v2/');
    const request = get('https://api.acme.io/v2/accounts');
    expect(route.prepare(request, 'acme.accounts', 1).headers).toEqual({ authorization: 'Bearer t0k' });
    expect(request.headers).toEqual({});
    expect(route.prepare(get('https://files.acme.io/x'), 'acme.accounts', 2).url.host).toBe('files.acme.io');
    expect(() => route.prepare(get('https://evil.example.com/x'), 'acme.accounts', 2)).toThrow(
      'acme.accounts: refused to follow a pagination link to another host (evil.example.com).',
    );
  });

  it('uses a base_url override as the upstream', async () => {
    const route = await directTransport(globalThis.fetch).route({
      source: 'acme',
      spec,
      baseUrl: `${ORIGIN}/sandbox/acme`,
    });
    expect(route.upstream.href).toBe(`${ORIGIN}/sandbox/acme/`);
  });
});

/** A fake proxy: `/api/sources/acme`, and a relay whose pages link to the next one as upstream URLs. */
function fakeProxy(links: (page: number) => string | undefined) {
  return recorder((url) => {
    if (url.pathname === '/api/sources/acme') return json(described());
    if (!url.pathname.startsWith('/api/relay/acme/accounts')) return json({ error: 'no route' }, 404);
    const page = Number(url.searchParams.get('page') ?? 1);
    const next = links(page);
    return json({ results: [{ id: page }], ...(next ? { paging: { next: { link: next } } } : {}) });
  });
}

async function collect(transport: Transport): Promise<unknown[]> {
  const route = await transport.route({ source: 'acme', spec, credentials: { token: 'secret-token' } });
  const plan: FetchPlan = {
    spec,
    source: 'acme',
    route,
    http: { fetch: transport.fetch, clock: new ManualClock(), budgetMs: 0 },
  };
  const rows: unknown[] = [];
  for await (const page of fetchPages(plan, spec.resources[0]!)) rows.push(...page);
  return rows;
}

describe('fetchPages through the relay', () => {
  it('follows absolute and relative json_link links as relay paths, without credentials', async () => {
    const { seen, fetch } = fakeProxy((page) =>
      page === 1 ? 'https://api.acme.io/v2/accounts?page=2' : page === 2 ? '?page=3' : undefined,
    );
    expect(await collect(relayTransport({ origin: ORIGIN, fetch }))).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
    expect(seen.map((s) => s.url)).toEqual([
      `${ORIGIN}/api/sources/acme`,
      `${ORIGIN}/api/relay/acme/accounts`,
      `${ORIGIN}/api/relay/acme/accounts?page=2`,
      `${ORIGIN}/api/relay/acme/accounts?page=3`,
    ]);
    expect(seen.every((s) => s.headers.authorization === undefined)).toBe(true);
    expect(JSON.stringify(seen)).not.toContain('secret-token');
  });

  it('stops with a clear error on a link to another host, never requesting it', async () => {
    const { seen, fetch } = fakeProxy((page) =>
      page === 1 ? 'https://evil.example.com/steal?page=2' : undefined,
    );
    await expect(collect(relayTransport({ origin: ORIGIN, fetch }))).rejects.toThrow(
      'acme.accounts: refused to follow a pagination link to another host (evil.example.com).',
    );
    expect(seen.some((s) => s.url.includes('evil'))).toBe(false);
  });
});
