// The relay over real HTTP against a stand-in vendor API on loopback: auth, header allowlists, bodies, limits, redirects.
import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  errorCode,
  portOf,
  rawRequest,
  serveRecording,
  startCanary,
  tempDist,
  tempHome,
  type Seen,
  type Upstream,
} from '../test/probe-kit.ts';
import { startServer, type RunningServer } from './server.ts';

const STRIPE_KEY = 'sk_test_secret_value_123';
const LINEAR_KEY = 'lin_api_secret_value_456';
const GITHUB_TOKEN = 'ghp_secret_value_789';
const HUBSPOT_TOKEN = 'pat-secret-value-000';
const FIVE_MB = 5 * 1024 * 1024;
const LINK =
  '<https://api.github.com/user/repos?page=2>; rel="next", <https://api.github.com/user/repos?page=5>; rel="last"';

let server: RunningServer;
let upstream: Upstream;
let canary: Upstream;

/** A deterministic 5 MB payload, sent in 64 KiB chunks. */
function bigChunk(i: number): Uint8Array {
  return new Uint8Array(64 * 1024).fill(i % 251);
}
const bigDigest = (() => {
  const hash = createHash('sha256');
  for (let i = 0; i < FIVE_MB / (64 * 1024); i++) hash.update(bigChunk(i));
  return hash.digest('hex');
})();

function vendor(): Hono {
  const app = new Hono();
  app.get('/v1base/rate-limited', () =>
    Response.json(
      { error: { message: 'Too many requests', type: 'rate_limit' } },
      {
        status: 429,
        headers: {
          'Retry-After': '7',
          'X-RateLimit-Remaining': '0',
          'RateLimit-Reset': '30',
          'Set-Cookie': 'vendor_session=abc; HttpOnly',
          'WWW-Authenticate': 'Bearer realm="vendor"',
          'X-Internal-Debug': 'upstream-only',
        },
      },
    ),
  );
  app.get('/gh/user/repos', () =>
    Response.json([{ id: 1 }], {
      headers: {
        'Content-Type': 'application/vnd.github+json; charset=utf-8',
        Link: LINK,
        ETag: 'W/"abc"',
        'Last-Modified': 'Mon, 01 Jun 2026 09:00:00 GMT',
        'X-Request-Id': 'req-42',
        'Set-Cookie': 'logged_in=yes',
      },
    }),
  );
  app.get('/v1base/big', () => {
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i * 64 * 1024 >= FIVE_MB) controller.close();
        else controller.enqueue(bigChunk(i++));
      },
    });
    return new Response(stream, { headers: { 'Content-Type': 'application/octet-stream' } });
  });
  // Never answers: only the relay's timeout (or the client going away) ends the exchange.
  app.get('/v1base/slow', async (c) => {
    await new Promise((done) => c.req.raw.signal.addEventListener('abort', done));
    return Response.json({ late: true });
  });
  app.all('/v1base/redirect-same', () =>
    Response.redirect(`${upstream.origin}/v1base/v1/landed?from=r`, 302),
  );
  app.get('/v1base/redirect-away', () => Response.redirect(`${canary.origin}/steal`, 302));
  app.get('/v1base/redirect-outside', () => Response.redirect(`${upstream.origin}/outside/base`, 301));
  app.get('/v1base/missing', () =>
    Response.json({ error: { message: 'No such customer', type: 'invalid_request_error' } }, { status: 404 }),
  );
  app.all('*', (c) => Response.json({ ok: true, method: c.req.method }));
  return app;
}

const relay = (path: string, init?: RequestInit) => fetch(`${server.url}/api/relay/${path}`, init);
const last = (): Seen => upstream.seen.at(-1)!;

/** Source `fake`: Stripe, served by the stand-in vendor. */
const fakeSource = () => ({
  DINOBASE_FAKE_TYPE: 'stripe',
  DINOBASE_FAKE_API_KEY: STRIPE_KEY,
  DINOBASE_FAKE_BASE_URL: `${upstream.origin}/v1base/`,
});

beforeAll(async () => {
  canary = await startCanary();
  upstream = await serveRecording(vendor());
  const down = await closedPort();
  server = await startServer({
    port: 0,
    distDir: tempDist(),
    home: tempHome(),
    relay: { maxBodyBytes: 64 * 1024 },
    log: () => undefined,
    env: {
      ...fakeSource(),
      DINOBASE_LIN_TYPE: 'linear',
      DINOBASE_LIN_API_KEY: LINEAR_KEY,
      DINOBASE_LIN_BASE_URL: `${upstream.origin}/linear/`,
      DINOBASE_GH_TYPE: 'github',
      DINOBASE_GH_ACCESS_TOKEN: GITHUB_TOKEN,
      DINOBASE_GH_BASE_URL: `${upstream.origin}/gh/`,
      DINOBASE_HUB_TYPE: 'hubspot',
      DINOBASE_HUB_ACCESS_TOKEN: HUBSPOT_TOKEN,
      DINOBASE_HUB_BASE_URL: `${upstream.origin}/hub/`,
      DINOBASE_DOWN_TYPE: 'stripe',
      DINOBASE_DOWN_API_KEY: STRIPE_KEY,
      DINOBASE_DOWN_BASE_URL: `http://127.0.0.1:${down}/`,
    },
  });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
  await canary?.close();
});

describe('auth injected per connector kind', () => {
  it('stripe: bearer key, Stripe-Version, path under the base URL and the query string verbatim', async () => {
    const res = await relay('fake/v1/customers?limit=3&expand[]=data.default_source&email=a%40b.c');
    expect(res.status).toBe(200);
    const seen = last();
    expect(seen.target).toBe('/v1base/v1/customers?limit=3&expand[]=data.default_source&email=a%40b.c');
    expect(seen.headers.authorization).toBe(`Bearer ${STRIPE_KEY}`);
    expect(seen.headers['stripe-version']).toBe('2024-06-20');
  });

  it('linear: the key as a raw Authorization header, and a GraphQL POST body passed as is', async () => {
    const query = JSON.stringify({ query: '{ viewer { id } }', variables: { first: 2 } });
    const res = await relay('lin/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'not-a-linear-header' },
      body: query,
    });
    expect(res.status).toBe(200);
    const seen = last();
    expect(seen).toMatchObject({ method: 'POST', target: '/linear/graphql', body: query });
    expect(seen.headers.authorization).toBe(LINEAR_KEY);
    expect(seen.headers['content-type']).toBe('application/json');
    // Linear's spec names no idempotency header, so none is forwarded.
    expect(seen.headers['idempotency-key']).toBeUndefined();
  });

  it('github: bearer token plus the spec Accept and API version headers when the client sends none', async () => {
    // node:http adds no Accept of its own (fetch would send */*, which the relay rightly keeps).
    await rawRequest({ port: portOf(server.url), path: '/api/relay/gh/user' });
    expect(last().headers).toMatchObject({
      authorization: `Bearer ${GITHUB_TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    });
  });

  it('hubspot: bearer token', async () => {
    await relay('hub/crm/v3/objects/contacts?limit=2');
    expect(last().target).toBe('/hub/crm/v3/objects/contacts?limit=2');
    expect(last().headers.authorization).toBe(`Bearer ${HUBSPOT_TOKEN}`);
  });
});

describe('request headers', () => {
  it('drops client auth, cookies, Origin, hop-by-hop and forwarding headers; keeps the allowlist', async () => {
    const res = await rawRequest({
      port: portOf(server.url),
      path: '/api/relay/fake/v1/customers',
      method: 'POST',
      headers: {
        authorization: 'Bearer client-supplied',
        cookie: 'dinobase_session=client-cookie',
        origin: server.url,
        connection: 'keep-alive, x-hop-secret',
        'x-hop-secret': 'hop',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
        'x-forwarded-for': '10.1.2.3',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=10.1.2.3',
        'x-custom': 'not allowed',
        accept: 'application/json',
        'accept-language': 'fr',
        'if-none-match': '"etag-1"',
        'idempotency-key': 'idem-123',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'name=Ada&metadata[plan]=pro',
    });
    expect(res.status).toBe(200);
    const seen = last();
    expect(seen.body).toBe('name=Ada&metadata[plan]=pro');
    expect(seen.headers).toMatchObject({
      authorization: `Bearer ${STRIPE_KEY}`,
      accept: 'application/json',
      'accept-language': 'fr',
      'if-none-match': '"etag-1"',
      'idempotency-key': 'idem-123',
      'content-type': 'application/x-www-form-urlencoded',
      'stripe-version': '2024-06-20',
    });
    for (const dropped of [
      'cookie',
      'origin',
      'x-hop-secret',
      'keep-alive',
      'te',
      'upgrade',
      'proxy-authorization',
      'x-forwarded-for',
      'x-forwarded-host',
      'forwarded',
      'x-custom',
    ]) {
      expect(seen.headers[dropped], dropped).toBeUndefined();
    }
    expect(seen.headers.connection ?? '').not.toContain('x-hop-secret');
    expect(JSON.stringify(seen.headers)).not.toContain('client-supplied');
  });
});

describe('responses', () => {
  it('passes a 429 through with its body, Retry-After and rate-limit headers; drops Set-Cookie and others', async () => {
    const res = await relay('fake/rate-limited');
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: { message: 'Too many requests', type: 'rate_limit' } });
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('ratelimit-reset')).toBe('30');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('x-internal-debug')).toBeNull();
  });

  it("returns GitHub's absolute Link header unchanged, with content type and validators", async () => {
    const res = await relay('gh/user/repos?per_page=1');
    expect(res.status).toBe(200);
    expect(res.headers.get('link')).toBe(LINK);
    expect(res.headers.get('content-type')).toBe('application/vnd.github+json; charset=utf-8');
    expect(res.headers.get('etag')).toBe('W/"abc"');
    expect(res.headers.get('last-modified')).toBe('Mon, 01 Jun 2026 09:00:00 GMT');
    expect(res.headers.get('x-request-id')).toBe('req-42');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toEqual([{ id: 1 }]);
  });

  it("passes a vendor's 404 through with its JSON body", async () => {
    const res = await relay('fake/missing');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { message: 'No such customer', type: 'invalid_request_error' },
    });
  });

  it('streams a 5 MB response through intact', async () => {
    const res = await rawRequest({ port: portOf(server.url), path: '/api/relay/fake/big' });
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.body.byteLength).toBe(FIVE_MB);
    expect(createHash('sha256').update(res.body).digest('hex')).toBe(bigDigest);
  });

  it('answers HEAD with the status and headers, no body', async () => {
    const res = await rawRequest({
      port: portOf(server.url),
      path: '/api/relay/gh/user/repos',
      method: 'HEAD',
    });
    expect(res.status).toBe(200);
    expect(res.headers.link).toBe(LINK);
    expect(res.body.byteLength).toBe(0);
    expect(last().method).toBe('HEAD');
  });
});

describe('limits and failures', () => {
  it('refuses a request body over the limit with 413, by Content-Length or chunked, before upstream', async () => {
    const before = upstream.seen.length;
    const big = 'x'.repeat(64 * 1024 + 1);
    for (const chunked of [false, true]) {
      const res = await rawRequest({
        port: portOf(server.url),
        path: '/api/relay/fake/v1/customers',
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: big,
        chunked,
        truncateAt: chunked ? undefined : 1024,
      });
      expect(res.status).toBe(413);
      expect(errorCode(res)).toBe('body_too_large');
    }
    expect(upstream.seen.length).toBe(before);
  });

  it('gives 504 upstream_timeout when the vendor is slower than timeoutMs', async () => {
    // A server of its own: the shared one keeps the default timeout, so big bodies stream on a busy machine.
    const impatient = await startServer({
      port: 0,
      distDir: tempDist(),
      home: tempHome(),
      relay: { timeoutMs: 300 },
      log: () => undefined,
      env: fakeSource(),
    });
    try {
      const res = await fetch(`${impatient.url}/api/relay/fake/slow`);
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ code: 'upstream_timeout' });
    } finally {
      await impatient.close();
    }
  });

  it('gives 502 upstream_unreachable when nothing listens upstream', async () => {
    const res = await relay('down/v1/customers');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: 'upstream_unreachable' });
  });
});

describe('redirects', () => {
  it('follows a redirect that stays under the base URL, authenticating the new request', async () => {
    const res = await relay('fake/redirect-same');
    expect(res.status).toBe(200);
    expect(last().target).toBe('/v1base/v1/landed?from=r');
    expect(last().headers.authorization).toBe(`Bearer ${STRIPE_KEY}`);
  });

  it('refuses a redirect to another host (502 redirect_refused) and never reaches it', async () => {
    const res = await relay('fake/redirect-away');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: 'redirect_refused' });
    expect(canary.seen).toHaveLength(0);
  });

  it('refuses a redirect off the base path on the same host', async () => {
    const before = upstream.seen.length;
    const res = await relay('fake/redirect-outside');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: 'redirect_refused' });
    expect(upstream.seen.slice(before).map((s) => s.target)).toEqual(['/v1base/redirect-outside']);
  });

  it('does not replay a request body on a redirect', async () => {
    const res = await relay('fake/redirect-same', { method: 'POST', body: 'a=1' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: 'redirect_refused' });
  });
});
