// Probes a hostile web page could send: cross-origin writes, CORS preflights, DNS rebinding, oversized bodies.
import { expect } from 'vitest';
import { EVIL, EXTRA_ORIGIN, hit, refused, type Ctx, type Probe } from './context.ts';

export function browserProbes(ctx: Ctx, probe: Probe): void {
  const json = { 'content-type': 'application/json' };
  const port = () => Number(new URL(ctx.local.url).port);
  const putBody = JSON.stringify({ type: 'stripe', credentials: { api_key: 'sk_test_from_evil' } });
  const sourceExists = async (name: string) =>
    (await hit(ctx.local, { path: `/api/sources/${name}` })).status === 200;

  const foreign: [string, string, string, Record<string, string>, string?][] = [
    ['PUT credentials', 'PUT', '/api/sources/csrf/credentials', { origin: EVIL, ...json }, putBody],
    ['DELETE credentials', 'DELETE', '/api/sources/stored/credentials', { origin: EVIL }],
    ['POST relay (a Stripe write)', 'POST', '/api/relay/fake/v1/customers', { origin: EVIL }, 'email=x'],
    ['GET sources (reading)', 'GET', '/api/sources', { origin: EVIL }],
    ['GET relay (reading)', 'GET', '/api/relay/fake/v1/customers', { origin: EVIL }],
    [
      'PUT with Origin null (sandboxed iframe)',
      'PUT',
      '/api/sources/csrf/credentials',
      { origin: 'null', ...json },
      putBody,
    ],
    [
      'PUT from a look-alike origin',
      'PUT',
      '/api/sources/csrf/credentials',
      { origin: `${EXTRA_ORIGIN}.evil.example`, ...json },
      putBody,
    ],
    [
      'POST relay from http://127.0.0.1 on another port',
      'POST',
      '/api/relay/fake/v1/x',
      { origin: 'http://127.0.0.1:1' },
      'a=1',
    ],
    ['logout from a foreign origin', 'POST', '/api/logout', { origin: EVIL }],
  ];
  for (const [label, method, path, headers, body] of foreign) {
    probe(`cross-origin ${label} → 403 forbidden_origin, nothing changed`, async () => {
      const before = ctx.upstream.seen.length;
      const res = await hit(ctx.local, { path, method, headers, body });
      refused(res, 403, 'forbidden_origin');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(ctx.upstream.seen.length).toBe(before);
      expect(await sourceExists('csrf')).toBe(false);
      expect(await sourceExists('stored')).toBe(true);
    });
  }

  for (const site of ['cross-site', 'same-site']) {
    probe(`Sec-Fetch-Site: ${site} without Origin on PUT, DELETE and POST relay → 403 csrf`, async () => {
      const headers = { 'sec-fetch-site': site, 'content-type': 'text/plain' };
      const before = ctx.upstream.seen.length;
      refused(
        await hit(ctx.local, {
          path: '/api/sources/csrf/credentials',
          method: 'PUT',
          headers,
          body: putBody,
        }),
        403,
        'csrf',
      );
      refused(
        await hit(ctx.local, { path: '/api/sources/stored/credentials', method: 'DELETE', headers }),
        403,
        'csrf',
      );
      refused(
        await hit(ctx.local, { path: '/api/relay/fake/v1/customers', method: 'POST', headers, body: 'a=1' }),
        403,
        'csrf',
      );
      expect(ctx.upstream.seen.length).toBe(before);
      expect([await sourceExists('csrf'), await sourceExists('stored')]).toEqual([false, true]);
    });
  }

  probe(
    'Origin: null is this origin only when Sec-Fetch-Site says same-origin (a no-referrer form post)',
    async () => {
      const headers = { origin: 'null', ...json };
      for (const site of ['cross-site', 'same-site', 'none']) {
        const res = await hit(ctx.local, {
          path: '/api/sources/csrf/credentials',
          method: 'PUT',
          headers: { ...headers, 'sec-fetch-site': site },
          body: putBody,
        });
        refused(res, 403, 'forbidden_origin');
      }
      expect(await sourceExists('csrf')).toBe(false);
      // The control: the same write from this origin's own no-referrer page goes through.
      const own = await hit(ctx.local, {
        path: '/api/sources/csrf_null/credentials',
        method: 'PUT',
        headers: { ...headers, 'sec-fetch-site': 'same-origin' },
        body: putBody,
      });
      expect(own.status).toBe(200);
      expect(await sourceExists('csrf_null')).toBe(true);
      await hit(ctx.local, { path: '/api/sources/csrf_null/credentials', method: 'DELETE' });
    },
  );

  probe('a preflight OPTIONS from a foreign origin → 403 forbidden_origin without CORS headers', async () => {
    const res = await hit(ctx.local, {
      path: '/api/sources/csrf/credentials',
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'PUT' },
    });
    refused(res, 403, 'forbidden_origin');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  probe('the configured extra origin gets its preflight, ACAO and credentials', async () => {
    const preflight = await hit(ctx.local, {
      path: '/api/sources/x/credentials',
      method: 'OPTIONS',
      headers: { origin: EXTRA_ORIGIN, 'access-control-request-method': 'PUT' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(EXTRA_ORIGIN);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    const res = await hit(ctx.local, { path: '/api/sources', headers: { origin: EXTRA_ORIGIN } });
    expect([res.status, res.headers['access-control-allow-origin'], res.headers.vary]).toEqual([
      200,
      EXTRA_ORIGIN,
      'Origin',
    ]);
  });

  probe('a "//api/..." path is not the API: no route takes the write', async () => {
    const res = await hit(ctx.local, {
      path: '//api/sources/csrf/credentials',
      method: 'PUT',
      headers: { origin: EVIL, ...json },
      body: putBody,
    });
    expect([res.status, res.text]).toEqual([404, 'Not found']);
    expect(await sourceExists('csrf')).toBe(false);
  });

  const hosts = (): string[] => [
    'evil.example',
    `evil.example:${port()}`,
    `127.0.0.1.evil.example:${port()}`,
    `localhost.evil.example:${port()}`,
    `localhost.:${port()}`,
    `0.0.0.0:${port()}`,
  ];
  probe(
    'DNS rebinding: a foreign Host on a loopback bind → 421 bad_host, for API, relay and pages',
    async () => {
      for (const host of hosts()) {
        for (const path of ['/api/sources', '/api/relay/fake/v1/customers', '/']) {
          refused(await hit(ctx.local, { path, host }), 421, 'bad_host');
        }
      }
    },
  );

  probe('DNS rebinding: a foreign Host cannot write either', async () => {
    const res = await hit(ctx.local, {
      path: '/api/sources/csrf/credentials',
      method: 'PUT',
      host: `evil.example:${port()}`,
      headers: { origin: `http://evil.example:${port()}`, ...json },
      body: putBody,
    });
    refused(res, 421, 'bad_host');
    expect(await sourceExists('csrf')).toBe(false);
  });

  probe('loopback Host names are answered (control)', async () => {
    for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`, `[::1]:${port()}`]) {
      expect((await hit(ctx.local, { path: '/api/health', host })).status, host).toBe(200);
    }
  });

  const oversized: [string, string, string, number, boolean][] = [
    ['relay body over 1 MB', 'POST', '/api/relay/fake/v1/customers', 1024 * 1024 + 1, false],
    ['chunked relay body over 1 MB', 'POST', '/api/relay/fake/v1/customers', 1024 * 1024 + 1, true],
    ['credentials body over 64 KB', 'PUT', '/api/sources/big/credentials', 64 * 1024 + 1, false],
    ['chunked credentials body over 64 KB', 'PUT', '/api/sources/big/credentials', 64 * 1024 + 1, true],
  ];
  for (const [label, method, path, size, chunked] of oversized) {
    probe(`${label} → 413 body_too_large`, async () => {
      const before = ctx.upstream.seen.length;
      const body = JSON.stringify({ type: 'stripe', pad: 'x'.repeat(size) });
      // By Content-Length the refusal comes before the upload ends; chunked, after the limit is read.
      const truncateAt = chunked ? undefined : 16 * 1024;
      const res = await hit(ctx.local, { path, method, headers: json, body, chunked, truncateAt });
      refused(res, 413, 'body_too_large');
      expect(ctx.upstream.seen.length).toBe(before);
      expect(await sourceExists('big')).toBe(false);
    });
  }
}
