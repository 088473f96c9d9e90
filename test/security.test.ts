// Security probes against real proxies on loopback: SSRF, secret read-back, auth, CSRF/CORS, rebinding, traversal.
import { Hono } from 'hono';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerOptions } from '../proxy/server.ts';
import { INDEX_HTML, serveRecording, startCanary } from './probe-kit.ts';
import { accessProbes } from './security/access.ts';
import { browserProbes } from './security/browser.ts';
import { DOTENV_MARKER, EXTRA_ORIGIN, FAKE_KEY, TOKEN, type Ctx, type Probe } from './security/context.ts';
import { secretProbes } from './security/secrets.ts';
import { ssrfProbes } from './security/ssrf.ts';

const ctx = {} as Ctx;
let passed = 0;

/** One probe: its own assertions, then the suite-wide invariant that nothing ever reached the canary. */
const probe: Probe = (name, run) =>
  it(name, async () => {
    await run();
    expect(ctx.canary.seen, 'the canary was reached').toHaveLength(0);
    passed += 1;
  });

/** The stand-in vendor behind source `fake`: answers everything, and redirects off-host on request. */
function vendor(): Hono {
  const app = new Hono();
  const canary = () => `127.0.0.1:${ctx.canary.port}`;
  const redirects: Record<string, () => string> = {
    'to-canary': () => `http://${canary()}/steal`,
    'protocol-relative': () => `//${canary()}/steal`,
    metadata: () => 'http://169.254.169.254/latest/meta-data/',
    localhost: () => `http://localhost:${ctx.canary.port}/`,
    'userinfo-host': () => `http://127.0.0.1:${ctx.upstream.port}@${canary()}/v1base/`,
    'userinfo-same': () => `http://user:pw@127.0.0.1:${ctx.upstream.port}/v1base/x`,
    'https-downgrade': () => `https://127.0.0.1:${ctx.upstream.port}/v1base/x`,
  };
  app.get('/v1base/redirect/:kind', (c) =>
    c.body(null, 302, { Location: redirects[c.req.param('kind')]!() }),
  );
  app.all('*', (c) => c.json({ upstream: true }));
  return app;
}

beforeAll(async () => {
  ctx.canary = await startCanary();
  ctx.upstream = await serveRecording(vendor());
  ctx.root = mkdtempSync(join(tmpdir(), 'dinobase-probe-'));
  const dist = join(ctx.root, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), INDEX_HTML);
  // Files a traversal out of dist/ would find: the repo's package.json and a .env with a marker.
  copyFileSync(new URL('../package.json', import.meta.url), join(ctx.root, 'package.json'));
  writeFileSync(join(ctx.root, '.env'), `${DOTENV_MARKER}\n`);
  writeFileSync(join(dist, '.env'), `${DOTENV_MARKER}\n`);
  writeFileSync(join(dist, 'assets', '.secret'), `${DOTENV_MARKER}\n`);
  const env = {
    DINOBASE_FAKE_TYPE: 'stripe',
    DINOBASE_FAKE_API_KEY: FAKE_KEY,
    DINOBASE_FAKE_BASE_URL: `${ctx.upstream.origin}/v1base/`,
    // A source the operator declared without its key: the relay must refuse it.
    DINOBASE_KEYLESS_TYPE: 'stripe',
  };
  const common: ServerOptions = { port: 0, distDir: dist, env, log: () => undefined };
  ctx.local = await startServer({ ...common, home: join(ctx.root, 'home'), extraOrigins: [EXTRA_ORIGIN] });
  ctx.guarded = await startServer({
    ...common,
    hostname: '0.0.0.0',
    token: TOKEN,
    sandbox: false,
    home: join(ctx.root, 'guarded'),
  });
  ctx.limited = await startServer({
    ...common,
    hostname: '0.0.0.0',
    token: TOKEN,
    sandbox: false,
    home: join(ctx.root, 'limited'),
  });
  // A stored source, so credentials.json exists for the static-path probes.
  const res = await fetch(`${ctx.local.url}/api/sources/stored/credentials`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'linear', credentials: { api_key: FAKE_KEY } }),
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await Promise.all([ctx.local, ctx.guarded, ctx.limited].map((s) => s?.close()));
  await Promise.all([ctx.upstream, ctx.canary].map((s) => s?.close()));
  console.log(`security probes: ${passed} passed`);
});

describe('SSRF through the relay', () => ssrfProbes(ctx, probe));
describe('reading secrets back', () => secretProbes(ctx, probe));
describe('authentication on a non-loopback bind', () => accessProbes(ctx, probe));
describe('browser attacks: CSRF, CORS, DNS rebinding, oversized bodies', () => browserProbes(ctx, probe));
