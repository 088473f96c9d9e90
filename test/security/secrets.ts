// Probes that try to read stored secrets back: API answers, error bodies, and static paths to credentials.json.
import { expect } from 'vitest';
import { FAKE_KEY, hit, noFileLeak, noSecrets, onlyIndex, refused, type Ctx, type Probe } from './context.ts';

export function secretProbes(ctx: Ctx, probe: Probe): void {
  const get = (path: string) => hit(ctx.local, { path });
  const put = (name: string, body: unknown) =>
    hit(ctx.local, {
      path: `/api/sources/${name}/credentials`,
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  probe('GET /api/sources lists every source with no secret value', async () => {
    const res = await get('/api/sources');
    expect(res.status).toBe(200);
    expect(res.text).toContain('"fake"');
    expect(res.text).toContain('"stored"');
    noSecrets(res);
  });

  probe('GET /api/sources/:name for env, file and sandbox sources holds no secret', async () => {
    for (const name of ['fake', 'stored', 'stripe', 'github']) {
      const res = await get(`/api/sources/${name}`);
      expect(res.status).toBe(200);
      noSecrets(res);
    }
  });

  probe('there is no GET route for credentials: /api/sources/:name/credentials → 404 not_found', async () => {
    refused(await get('/api/sources/fake/credentials'), 404, 'not_found');
  });

  probe('GET /api/health holds no secret', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    noSecrets(res);
  });

  probe('a refused PUT never echoes the value: control characters', async () => {
    const value = `${FAKE_KEY}\u0007`;
    const res = await put('stored', { type: 'linear', credentials: { api_key: value } });
    refused(res, 400, 'invalid_credentials');
    expect(res.text).not.toContain('secret_value');
  });

  probe('a refused PUT never echoes the value: unknown field holding a key', async () => {
    const res = await put('stored', { type: 'linear', credentials: { token: FAKE_KEY } });
    refused(res, 400, 'invalid_credentials');
  });

  probe('a refused PUT never echoes the value: a key as base_url user info', async () => {
    const res = await put('stored', { type: 'linear', base_url: `https://${FAKE_KEY}@api.linear.app/` });
    refused(res, 400, 'invalid_base_url');
  });

  probe('a refused PUT never echoes the value: an over-long key', async () => {
    const res = await put('stored', { type: 'linear', credentials: { api_key: FAKE_KEY.repeat(400) } });
    refused(res, 400, 'invalid_credentials');
  });

  probe('relay error bodies hold no secret (409, 502, 400, 404)', async () => {
    refused(await put('halfway', { type: 'stripe' }), 400, 'missing_credentials');
    refused(await get('/api/relay/keyless/v1/customers'), 409, 'credentials_missing');
    refused(await get('/api/relay/fake/redirect/to-canary'), 502, 'redirect_refused');
    refused(await get('/api/relay/fake//evil.example'), 400, 'bad_relay_path');
    refused(await get('/api/relay/nosuch/x'), 404, 'unknown_source');
  });

  probe(
    're-typing an env source (stripe key) to linear → its key is not carried over: 400 missing_credentials',
    async () => {
      const before = ctx.upstream.seen.length;
      try {
        // Had the stripe key been applied to the linear source, this would have saved a complete source.
        refused(await put('fake', { type: 'linear' }), 400, 'missing_credentials');
        expect(ctx.upstream.seen.length).toBe(before);
      } finally {
        await hit(ctx.local, { path: '/api/sources/fake/credentials', method: 'DELETE' });
      }
      expect(JSON.parse((await get('/api/sources/fake')).text)).toMatchObject({
        type: 'stripe',
        origin: 'env',
      });
    },
  );

  probe('credentials.json is not served from any static path', async () => {
    const home = `${ctx.root}/home/credentials.json`;
    const paths = [
      '/credentials.json',
      '/../home/credentials.json',
      '/%2e%2e/home/credentials.json',
      '/..%2fhome%2fcredentials.json',
      '/assets/..%2f..%2fhome%2fcredentials.json',
      `/${home}`,
      `/${encodeURIComponent(home)}`,
    ];
    for (const path of paths) {
      const res = await get(path);
      noFileLeak(res);
      onlyIndex(res);
    }
  });

  const traversals = [
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E/package.json',
    '/assets/../../package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/..%5c..%5cpackage.json',
    '/%252e%252e/package.json',
    '/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/etc/passwd',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/.env',
    '/..%2f.env',
    '/%2e%2e/.env',
    '/assets/.secret',
    '/assets/../.env',
  ];
  for (const path of traversals) {
    probe(`static path ${path} serves only index.html`, async () => {
      const res = await get(path);
      noFileLeak(res);
      onlyIndex(res);
    });
  }

  probe('static path with raw backslashes is refused by the HTTP adapter (400, no file)', async () => {
    const res = await get('/..\\..\\package.json');
    expect(res.status).toBe(400);
    noFileLeak(res);
  });

  probe('static path with a NUL byte serves only index.html', async () => {
    const res = await get('/index.html%00/../../package.json');
    noFileLeak(res);
    onlyIndex(res);
  });
}
