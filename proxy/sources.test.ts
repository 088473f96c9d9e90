// The credentials store over real HTTP: summaries without secrets, a 0600 file written atomically, env overrides.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRecording, tempDist, tempHome, type Upstream } from '../test/probe-kit.ts';
import { Hono } from 'hono';
import { SANDBOX_CREDENTIALS } from './sandbox/index.ts';
import { startServer, type RunningServer } from './server.ts';

const FILE_SECRET = 'sk_test_file_value_1234';
const ENV_SECRET = 'sk_test_env_value_5678';
const GITHUB_SECRET = 'ghp_env_only_secret_91';
const HUBSPOT_SECRET = 'pat-na1-file-secret-37';
const SANDBOX_KEY = SANDBOX_CREDENTIALS.stripe.api_key;
const OLD_KEY = 'sk_test_rotated_out_01';
const NEW_KEY = 'sk_test_rotated_in_02';
const SECRETS = [
  OLD_KEY,
  NEW_KEY,
  FILE_SECRET,
  ENV_SECRET,
  GITHUB_SECRET,
  HUBSPOT_SECRET,
  SANDBOX_KEY,
  'sk_test_half\ntyped',
  'sk_test_parallel_',
];

let server: RunningServer;
let home: string;
let upstream: Upstream;
const logs: string[] = [];
const bodies: string[] = [];

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

async function call(target: RunningServer, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${target.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  bodies.push(text);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // non-JSON bodies are checked by status alone
  }
  return { status: res.status, text, json };
}
const api = (method: string, path: string, body?: unknown) => call(server, method, path, body);
const put = (name: string, body: unknown) => api('PUT', `/api/sources/${name}/credentials`, body);
const fileMode = (path: string) => statSync(path).mode & 0o777;

beforeAll(async () => {
  const app = new Hono();
  app.all('*', (c) => c.json({ ok: true }));
  upstream = await serveRecording(app);
  home = join(tempHome(), 'nested', 'home');
  server = await startServer({
    port: 0,
    distDir: tempDist(),
    home,
    log: (line) => logs.push(line),
    env: {
      DINOBASE_MYSTRIPE_API_KEY: ENV_SECRET,
      DINOBASE_MYSTRIPE_BASE_URL: `${upstream.origin}/v1/`,
      DINOBASE_ENVONLY_TYPE: 'github',
      DINOBASE_ENVONLY_ACCESS_TOKEN: GITHUB_SECRET,
      DINOBASE_ROTATING_BASE_URL: `${upstream.origin}/v1/`,
    },
  });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

describe('storing credentials', () => {
  it('PUT then GET shows credentials_set, never the value', async () => {
    const created = await put('billing', { type: 'stripe', credentials: { api_key: FILE_SECRET } });
    expect(created.status).toBe(200);
    const summary = {
      name: 'billing',
      type: 'stripe',
      base_url: 'https://api.stripe.com/',
      sandbox: false,
      credentials_set: true,
      missing: [],
      settings: {},
      origin: 'file',
      env_overrides: [],
    };
    expect(created.json).toEqual({ source: summary });
    expect((await api('GET', '/api/sources/billing')).json).toEqual(summary);
    const listed = await api('GET', '/api/sources');
    expect((listed.json.sources as { name: string }[]).map((s) => s.name)).toContain('billing');
    for (const answer of [created, listed]) expect(answer.text).not.toContain(FILE_SECRET);
  });

  it('keeps the file at mode 0600 in a 0700 directory, holding the value', () => {
    const file = join(home, 'credentials.json');
    expect(fileMode(file)).toBe(0o600);
    expect(fileMode(home)).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toContain(FILE_SECRET);
  });

  it('writes atomically: parallel PUTs all land, valid JSON, no temp files left', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `par_${i}`);
    const answers = await Promise.all(
      names.map((name, i) =>
        put(name, { type: 'stripe', credentials: { api_key: `sk_test_parallel_${i}` } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(names.map(() => 200));
    expect(readdirSync(home)).toEqual(['credentials.json']);
    const stored = JSON.parse(readFileSync(join(home, 'credentials.json'), 'utf8')) as {
      sources: Record<string, unknown>;
    };
    expect(Object.keys(stored.sources)).toEqual(expect.arrayContaining(['billing', ...names]));
    expect(fileMode(join(home, 'credentials.json'))).toBe(0o600);
  });

  it('keeps omitted fields', async () => {
    const kept = await put('billing', { type: 'stripe', base_url: 'https://api.stripe.com/' });
    expect(kept.json.source).toMatchObject({ credentials_set: true, base_url: 'https://api.stripe.com/' });
  });

  it('never stores a half-configured source: missing fields are refused with 400 naming them', async () => {
    const file = join(home, 'credentials.json');
    const before = readFileSync(file, 'utf8');
    for (const [name, body] of [
      ['halfway', { type: 'stripe', credentials: {} }],
      ['halfway', { type: 'stripe' }],
      ['halfway', { type: 'hubspot', credentials: { access_token: '' } }],
      ['billing', { credentials: { api_key: null } }],
    ] as const) {
      const res = await put(name, body);
      expect([res.status, res.json.code], JSON.stringify(body)).toEqual([400, 'missing_credentials']);
      expect(res.json.error).toMatch(/needs (api_key|access_token)/);
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
    const listed = (await api('GET', '/api/sources')).json.sources as { name: string }[];
    expect(listed.map((s) => s.name)).not.toContain('halfway');
    expect((await api('GET', '/api/sources/billing')).json).toMatchObject({ credentials_set: true });
  });
});

describe('a sandbox source', () => {
  const sandboxBase = () => `${server.url}/sandbox/stripe/`;

  it('keeps its sandbox base URL when credentials are saved for it', async () => {
    const saved = await put('stripe', { type: 'stripe', credentials: { api_key: SANDBOX_KEY } });
    expect(saved.json.source).toMatchObject({
      origin: 'file',
      sandbox: true,
      base_url: sandboxBase(),
      credentials_set: true,
    });
    // The relay still reaches this server's sandbox, which knows the key.
    expect((await api('GET', '/api/relay/stripe/v1/customers?limit=1')).status).toBe(200);
    const again = await put('stripe', { credentials: { api_key: SANDBOX_KEY } });
    expect(again.json.source).toMatchObject({ sandbox: true, base_url: sandboxBase() });
  });

  it('goes to the vendor only when asked: sandbox false, or a base_url of its own', async () => {
    const live = await put('stripe', { type: 'stripe', sandbox: false });
    expect(live.json.source).toMatchObject({ sandbox: false, base_url: 'https://api.stripe.com/' });
    const back = await put('stripe', { sandbox: true });
    expect(back.json.source).toMatchObject({ sandbox: true, base_url: sandboxBase() });
    const hosted = await put('stripe', { base_url: 'https://api.stripe.com/' });
    expect(hosted.json.source).toMatchObject({ sandbox: false, base_url: 'https://api.stripe.com/' });
    await api('DELETE', '/api/sources/stripe/credentials');
  });
});

describe('environment overrides', () => {
  it('an env value wins over the stored one, is listed in env_overrides, and is what the relay sends', async () => {
    const stored = await put('mystripe', { type: 'stripe', credentials: { api_key: FILE_SECRET } });
    expect(stored.json.source).toMatchObject({
      name: 'mystripe',
      origin: 'file',
      env_overrides: ['api_key'],
      base_url: `${upstream.origin}/v1/`,
      credentials_set: true,
    });
    expect((await api('GET', '/api/relay/mystripe/customers')).status).toBe(200);
    expect(upstream.seen.at(-1)!.headers.authorization).toBe(`Bearer ${ENV_SECRET}`);
  });

  it('lists an env-only source with origin env', async () => {
    const res = await api('GET', '/api/sources/envonly');
    expect(res.json).toMatchObject({
      type: 'github',
      origin: 'env',
      credentials_set: true,
      env_overrides: ['access_token'],
    });
  });
});

describe('an env-declared type pins its keys', () => {
  it('re-typing an env source to another vendor does not carry the env key along', async () => {
    const retyped = await put('envonly', { type: 'hubspot', credentials: { access_token: HUBSPOT_SECRET } });
    expect(retyped.json.source).toMatchObject({
      type: 'hubspot',
      base_url: 'https://api.hubapi.com/',
      credentials_set: true,
      env_overrides: [],
    });
    expect((await server.store.resolve('envonly'))!.credentials).toEqual({ access_token: HUBSPOT_SECRET });
    await api('DELETE', '/api/sources/envonly/credentials');
    expect((await api('GET', '/api/sources/envonly')).json).toMatchObject({
      type: 'github',
      origin: 'env',
      env_overrides: ['access_token'],
    });
  });
});

describe('refusals', () => {
  const cases: [string, string, unknown, number, string][] = [
    ['unknown type', 'billing', { type: 'nosuchvendor' }, 400, 'invalid_type'],
    [
      'unknown field',
      'billing',
      { type: 'stripe', credentials: { password: 'x' } },
      400,
      'invalid_credentials',
    ],
    [
      'control characters in a value',
      'billing',
      { type: 'stripe', credentials: { api_key: 'sk_test_half\ntyped' } },
      400,
      'invalid_credentials',
    ],
    [
      'a non-string value',
      'billing',
      { type: 'stripe', credentials: { api_key: 42 } },
      400,
      'invalid_credentials',
    ],
    [
      'credentials as an array',
      'billing',
      { type: 'stripe', credentials: ['x'] },
      400,
      'invalid_credentials',
    ],
    [
      'a prototype key as a field',
      'billing',
      { type: 'stripe', credentials: JSON.parse('{"__proto__": "x"}') as unknown },
      400,
      'invalid_credentials',
    ],
    [
      'base_url on a foreign host',
      'billing',
      { type: 'stripe', base_url: 'https://evil.example/' },
      400,
      'invalid_base_url',
    ],
    [
      'base_url over http',
      'billing',
      { type: 'stripe', base_url: 'http://api.stripe.com/' },
      400,
      'invalid_base_url',
    ],
    [
      'base_url with user info',
      'billing',
      { type: 'stripe', base_url: 'https://u:p@api.stripe.com/' },
      400,
      'invalid_base_url',
    ],
    [
      'base_url on another port',
      'billing',
      { type: 'stripe', base_url: 'https://api.stripe.com:8443/' },
      400,
      'invalid_base_url',
    ],
    [
      'base_url not a URL',
      'billing',
      { type: 'stripe', base_url: 'api.stripe.com' },
      400,
      'invalid_base_url',
    ],
    ['an invalid name', 'Bad-Name', { type: 'stripe' }, 400, 'invalid_source_name'],
    ['a reserved name', 'main', { type: 'stripe' }, 400, 'invalid_source_name'],
    ['a body that is not JSON', 'billing', 'type=stripe', 400, 'bad_json'],
    ['a JSON array body', 'billing', '[]', 400, 'bad_json'],
  ];
  it.each(cases)('refuses %s', async (_label, name, body, status, code) => {
    const before = readFileSync(join(home, 'credentials.json'), 'utf8');
    const res = await put(name, body);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error: expect.any(String), code });
    expect(readFileSync(join(home, 'credentials.json'), 'utf8')).toBe(before);
  });

  it('refuses a body over 64 KB with 413 body_too_large', async () => {
    const res = await put('billing', { type: 'stripe', credentials: { api_key: 'k'.repeat(70_000) } });
    expect(res.status).toBe(413);
    expect(res.json.code).toBe('body_too_large');
  });
});

describe('deleting', () => {
  it('DELETE removes the stored source; a second DELETE is 404', async () => {
    await put('gone', { type: 'linear', credentials: { api_key: FILE_SECRET } });
    const res = await api('DELETE', '/api/sources/gone/credentials');
    expect(res.json).toEqual({ deleted: true, source: null });
    expect((await api('GET', '/api/sources/gone')).json.code).toBe('unknown_source');
    const again = await api('DELETE', '/api/sources/gone/credentials');
    expect([again.status, again.json.code]).toEqual([404, 'unknown_source']);
    expect(readFileSync(join(home, 'credentials.json'), 'utf8')).not.toContain('"gone"');
  });

  it('deleting an override of a sandbox source brings the sandbox back', async () => {
    await put('stripe', { type: 'stripe', sandbox: false, credentials: { api_key: FILE_SECRET } });
    expect((await api('GET', '/api/sources/stripe')).json).toMatchObject({ origin: 'file', sandbox: false });
    const res = await api('DELETE', '/api/sources/stripe/credentials');
    expect(res.json.source).toMatchObject({ origin: 'sandbox', sandbox: true, credentials_set: true });
  });
});

describe('the relay after a change of credentials', () => {
  // The store keeps resolved sources between relayed pages; a PUT or DELETE must end that at once.
  it('sends the new key on the very next page, and nothing once the source is deleted', async () => {
    await put('rotating', { type: 'stripe', credentials: { api_key: OLD_KEY } });
    expect((await api('GET', '/api/relay/rotating/customers')).status).toBe(200);
    expect(upstream.seen.at(-1)!.headers.authorization).toBe(`Bearer ${OLD_KEY}`);
    await put('rotating', { credentials: { api_key: NEW_KEY } });
    expect((await api('GET', '/api/relay/rotating/customers')).status).toBe(200);
    expect(upstream.seen.at(-1)!.headers.authorization).toBe(`Bearer ${NEW_KEY}`);
    const seen = upstream.seen.length;
    await api('DELETE', '/api/sources/rotating/credentials');
    const gone = await api('GET', '/api/relay/rotating/customers');
    expect([gone.status, gone.json.code]).toEqual([404, 'unknown_source']);
    expect(upstream.seen.length).toBe(seen);
  });
});

describe('a store opened from disk', () => {
  it('tightens a hand-loosened 0644 file on read, and refuses sandbox sources when sandboxes are off', async () => {
    const dir = tempHome();
    const file = join(dir, 'credentials.json');
    const text = {
      version: 1,
      sources: { old: { type: 'hubspot', base_url: null, sandbox: false, credentials: {} } },
    };
    writeFileSync(file, JSON.stringify(text));
    chmodSync(file, 0o644);
    const other = await startServer({ port: 0, home: dir, sandbox: false, distDir: tempDist(), env: {} });
    try {
      const res = await call(other, 'GET', '/api/sources');
      expect((res.json.sources as { name: string; missing: string[] }[])[0]).toMatchObject({
        name: 'old',
        missing: ['access_token'],
      });
      const relay = await call(other, 'GET', '/api/relay/old/crm/v3/objects/contacts');
      expect([relay.status, relay.json.code]).toEqual([409, 'credentials_missing']);
      expect(fileMode(file)).toBe(0o600);
      const sandbox = await call(other, 'PUT', '/api/sources/demo/credentials', {
        type: 'stripe',
        sandbox: true,
      });
      expect([sandbox.status, sandbox.json.code]).toEqual([400, 'no_sandbox']);
    } finally {
      await other.close();
    }
  });

  it('logs a failed write as a 500 with every known secret scrubbed from the line', async () => {
    // The home path holds the env secret, so the rename error quoting it must be redacted.
    const dir = join(tempHome(), `home-${ENV_SECRET}`);
    const lines: string[] = [];
    const other = await startServer({
      port: 0,
      home: dir,
      distDir: tempDist(),
      log: (line) => lines.push(line),
      env: { DINOBASE_MYSTRIPE_TYPE: 'stripe', DINOBASE_MYSTRIPE_API_KEY: ENV_SECRET },
    });
    try {
      expect((await call(other, 'GET', '/api/sources')).status).toBe(200);
      mkdirSync(join(dir, 'credentials.json'), { recursive: true });
      const res = await call(other, 'PUT', '/api/sources/x/credentials', {
        type: 'stripe',
        credentials: { api_key: FILE_SECRET },
      });
      expect(res.json).toEqual({ error: 'Internal error; see the server log.', code: 'internal' });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('Error on PUT /api/sources/x/credentials');
      expect(lines[0]).toContain('home-***');
      logs.push(...lines);
    } finally {
      await other.close();
    }
  });

  it('never put a secret value in any response body or log line above', () => {
    expect(bodies.length).toBeGreaterThan(30);
    for (const secret of SECRETS) {
      for (const body of bodies) expect(body).not.toContain(secret);
      for (const line of logs) expect(line).not.toContain(secret);
    }
  });
});
