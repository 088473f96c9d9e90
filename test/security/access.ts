// Probes of the DINOBASE_TOKEN login on a 0.0.0.0 bind: every API route locked, bearer, cookie, rate limit, config.
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import { UnsafeConfigError } from '../../proxy/config.ts';
import { startServer } from '../../proxy/server.ts';
import { tempDist, tempHome } from '../probe-kit.ts';
import { EVIL, hit, noSecrets, onlyIndex, refused, TOKEN, type Ctx, type Probe } from './context.ts';

/** A session cookie as the server signs it (hono/cookie's signed format), for an expiry of our choosing. */
function signedSession(expires: number): string {
  const signature = createHmac('sha256', TOKEN).update(String(expires)).digest('base64');
  return `dinobase_session=${encodeURIComponent(`${expires}.${signature}`)}`;
}

export function accessProbes(ctx: Ctx, probe: Probe): void {
  const json = { 'content-type': 'application/json' };
  /** A fresh token-guarded server (no failed logins counted yet) and a login sending `X-Forwarded-For`. */
  const loginServer = async (trustedProxies: number) => {
    const server = await startServer({
      port: 0,
      home: tempHome(),
      distDir: tempDist(),
      sandbox: false,
      env: {},
      token: TOKEN,
      trustedProxies,
    });
    const login = (token: string, forwardedFor: string) =>
      hit(server, {
        path: '/api/login',
        method: 'POST',
        headers: { ...json, 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ token }),
      });
    return { login, close: () => server.close() };
  };
  const locked: [string, string, string?][] = [
    ['GET', '/api/sources'],
    ['GET', '/api/sources/fake'],
    ['PUT', '/api/sources/x/credentials', JSON.stringify({ type: 'stripe' })],
    ['DELETE', '/api/sources/fake/credentials'],
    ['GET', '/api/relay/fake/v1/customers'],
    ['POST', '/api/relay/fake/v1/customers', 'email=a@b.c'],
    ['GET', '/api/no-such-route'],
  ];
  for (const [method, path, body] of locked) {
    probe(`no token: ${method} ${path} → 401 unauthenticated`, async () => {
      const before = ctx.upstream.seen.length;
      const res = await hit(ctx.guarded, { path, method, headers: json, body });
      refused(res, 401, 'unauthenticated');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="dinobase"');
      expect(ctx.upstream.seen.length).toBe(before);
    });
  }

  probe('no token: the app shell and SPA routes redirect to /login', async () => {
    for (const path of ['/', '/index.html', '/sources/stripe', '//api/sources', '/login/..%2fapi/sources']) {
      const res = await hit(ctx.guarded, { path });
      expect([res.status, res.headers.location], path).toEqual([302, '/login']);
      noSecrets(res);
    }
  });

  probe('no token: open prefixes do not unlock the API (/assets/.., /api/health/..)', async () => {
    onlyIndex(await hit(ctx.guarded, { path: '/assets/..%2fapi%2fsources' }));
    refused(await hit(ctx.guarded, { path: '/assets/%2e%2e/api/sources' }), 401, 'unauthenticated');
    refused(await hit(ctx.guarded, { path: '/api/health/..%2fsources' }), 401, 'unauthenticated');
    refused(await hit(ctx.guarded, { path: '/api/login/../sources' }), 401, 'unauthenticated');
    refused(await hit(ctx.guarded, { path: '/api/health%2f..%2fsources' }), 401, 'unauthenticated');
  });

  probe('no token: /api/health, /api/session and /login stay open and hold no secret', async () => {
    const health = await hit(ctx.guarded, { path: '/api/health' });
    expect([health.status, JSON.parse(health.text).login_required]).toEqual([200, true]);
    const session = await hit(ctx.guarded, { path: '/api/session' });
    expect([session.status, JSON.parse(session.text)]).toEqual([
      200,
      { login_required: true, authenticated: false },
    ]);
    const login = await hit(ctx.guarded, { path: '/login' });
    expect(login.status).toBe(200);
    for (const res of [health, session, login]) noSecrets(res);
  });

  probe('the bearer token opens the API', async () => {
    const res = await hit(ctx.guarded, {
      path: '/api/sources',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    noSecrets(res);
  });

  probe('a wrong, truncated, padded or lower-case bearer → 401 unauthenticated', async () => {
    for (const authorization of [
      'Bearer wrong-token-0123456789abcdef',
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `bearer ${TOKEN}`,
      `Basic ${btoa(`user:${TOKEN}`)}`,
      'Bearer ',
    ]) {
      refused(
        await hit(ctx.guarded, { path: '/api/sources', headers: { authorization } }),
        401,
        'unauthenticated',
      );
    }
  });

  probe('login sets an HttpOnly SameSite=Strict cookie that opens the API', async () => {
    const login = await hit(ctx.guarded, {
      path: '/api/login',
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^dinobase_session=\d+\.[\w%]{44,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain(TOKEN);
    const res = await hit(ctx.guarded, { path: '/api/sources', headers: { cookie: cookie.split(';')[0]! } });
    expect(res.status).toBe(200);
  });

  probe('forged and expired session cookies → 401 unauthenticated', async () => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    for (const cookie of [
      `dinobase_session=${future}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
      signedSession(Math.floor(Date.now() / 1000) - 60),
      `dinobase_session=${TOKEN}`,
      'dinobase_session=',
    ]) {
      refused(await hit(ctx.guarded, { path: '/api/sources', headers: { cookie } }), 401, 'unauthenticated');
    }
    // The control: the same signing with a live expiry is accepted.
    expect(
      (await hit(ctx.guarded, { path: '/api/sources', headers: { cookie: signedSession(future) } })).status,
    ).toBe(200);
  });

  probe('a wrong form login redirects to /login?failed=1 without a cookie', async () => {
    const res = await hit(ctx.guarded, {
      path: '/api/login',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=wrong',
    });
    expect([res.status, res.headers.location, res.headers['set-cookie']]).toEqual([
      303,
      '/login?failed=1',
      undefined,
    ]);
  });

  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  probe(
    'a same-origin form login from the no-referrer /login page (Origin: null, Sec-Fetch-Site: same-origin) logs in',
    async () => {
      const res = await hit(ctx.guarded, {
        path: '/api/login',
        method: 'POST',
        headers: { ...form, origin: 'null', 'sec-fetch-site': 'same-origin' },
        body: `token=${TOKEN}`,
      });
      expect([res.status, res.headers.location]).toEqual([303, '/']);
      expect(res.headers['set-cookie']?.[0]).toMatch(/^dinobase_session=/);
    },
  );

  probe('Log out: a form post clears the cookie and goes to /login; a script gets JSON', async () => {
    const form = await hit(ctx.guarded, {
      path: '/api/logout',
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'null',
        'sec-fetch-site': 'same-origin',
      },
    });
    expect([form.status, form.headers.location]).toEqual([303, '/login']);
    expect(form.headers['set-cookie']?.[0]).toMatch(/^dinobase_session=; Max-Age=0; Path=\//);
    const script = await hit(ctx.guarded, { path: '/api/logout', method: 'POST' });
    expect([script.status, JSON.parse(script.text)]).toEqual([200, { ok: true }]);
  });

  probe('a cross-site form login, even with the right token, is refused and sets no cookie', async () => {
    const attempts: Record<string, string>[] = [
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { origin: 'null', 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      { origin: EVIL, 'sec-fetch-site': 'cross-site' },
      { origin: EVIL, 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const res = await hit(ctx.guarded, {
        path: '/api/login',
        method: 'POST',
        headers: { ...form, ...headers },
        body: `token=${TOKEN}`,
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(['forbidden_origin', 'csrf']).toContain(JSON.parse(res.text).code);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  probe(
    'the 6th failed login → 429 too_many_attempts with Retry-After, even with the right token',
    async () => {
      const login = (token: string) =>
        hit(ctx.limited, {
          path: '/api/login',
          method: 'POST',
          headers: json,
          body: JSON.stringify({ token }),
        });
      for (let i = 0; i < 5; i++) refused(await login(`wrong-${i}`), 401, 'bad_token');
      const blocked = await login('wrong-6');
      refused(blocked, 429, 'too_many_attempts');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      refused(await login(TOKEN), 429, 'too_many_attempts');
    },
  );

  probe(
    'behind a trusted proxy, failed logins lock out the forwarded client only; a forged X-Forwarded-For entry is ignored',
    async () => {
      const { login, close } = await loginServer(1);
      try {
        // The attacker varies what it writes itself; the proxy always appends the same address.
        for (let i = 0; i < 5; i++)
          refused(await login(`wrong-${i}`, `10.0.0.${i}, 203.0.113.7`), 401, 'bad_token');
        refused(await login(TOKEN, '10.9.9.9, 203.0.113.7'), 429, 'too_many_attempts');
        expect((await login(TOKEN, '203.0.113.8')).status).toBe(200);
      } finally {
        await close();
      }
    },
  );

  probe(
    'without trusted proxies, X-Forwarded-For does not spread failed logins over fake addresses',
    async () => {
      const { login, close } = await loginServer(0);
      try {
        for (let i = 0; i < 5; i++) refused(await login(`wrong-${i}`, `198.51.100.${i}`), 401, 'bad_token');
        refused(await login(TOKEN, '198.51.100.99'), 429, 'too_many_attempts');
      } finally {
        await close();
      }
    },
  );

  probe('an oversized login body → 413 body_too_large (no unbounded read before login)', async () => {
    const res = await hit(ctx.guarded, {
      path: '/api/login',
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token: 'x'.repeat(100_000) }),
    });
    refused(res, 413, 'body_too_large');
  });

  probe('refuses to start on 0.0.0.0 / :: without a token, or with a short one', async () => {
    const base = { port: 0, home: tempHome(), distDir: tempDist(), sandbox: false, env: {} };
    for (const options of [
      { hostname: '0.0.0.0' },
      { hostname: '::' },
      { hostname: '0.0.0.0', token: '' },
      { hostname: '0.0.0.0', token: 'fifteen-chars-x' },
      { hostname: '127.0.0.1', token: 'too-short' },
    ]) {
      await expect(startServer({ ...base, ...options })).rejects.toBeInstanceOf(UnsafeConfigError);
    }
  });
}
