import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.ts';

/** What a build holds that runs as a worker: the engine, DuckDB's worker, the service worker and Workbox. */
const WORKER_SCRIPTS = [
  'assets/engine-Ab12Cd34.js',
  'assets/duckdb-browser-eh.worker-Ab12Cd34.js',
  'sw.js',
  'workbox-9c191d2f.js',
];

let server: RunningServer;
const dist = mkdtempSync(join(tmpdir(), 'dinobase-dist-'));

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Dinobase</title>');
  writeFileSync(join(dist, 'manifest.webmanifest'), '{"name":"Dinobase"}');
  writeFileSync(join(dist, 'assets', 'duckdb-eh-abc.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(join(dist, 'assets', 'duckdb-eh-abc.wasm.gz'), Buffer.from('not really gzip'));
  for (const script of WORKER_SCRIPTS) writeFileSync(join(dist, script), 'self.onmessage = () => {};');
  server = await startServer({ port: 0, distDir: dist, home: mkdtempSync(join(tmpdir(), 'dinobase-home-')) });
});
afterAll(() => server.close());

describe('proxy app over real HTTP on loopback', () => {
  it('answers the health check', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', app_built: true });
  });

  it('serves wasm with its content type, immutable caching and the precompressed file', async () => {
    const res = await fetch(`${server.url}/assets/duckdb-eh-abc.wasm`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.headers.get('content-type')).toBe('application/wasm');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('serves index.html for the app shell without long caching', async () => {
    const res = await fetch(`${server.url}/`);
    expect(await res.text()).toContain('<title>Dinobase</title>');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('makes browsers re-check the service worker and the manifest on every visit', async () => {
    const sw = await fetch(`${server.url}/sw.js`);
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const manifest = await fetch(`${server.url}/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json');
    expect(manifest.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves every worker script with a CSP whose connect-src is only this origin', async () => {
    for (const script of WORKER_SCRIPTS) {
      const res = await fetch(`${server.url}/${script}`);
      expect(res.status, script).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp.split(/;\s*/), script).toContain("connect-src 'self'");
      expect(csp.split(/;\s*/), script).toContain("default-src 'self'");
    }
  });

  it('lists the sandbox sources without their keys, and relays to them with the keys added server-side', async () => {
    const res = await fetch(`${server.url}/api/sources`);
    const { sources } = (await res.json()) as {
      sources: { name: string; sandbox: boolean; credentials_set: boolean }[];
    };
    expect(sources.map((s) => [s.name, s.sandbox, s.credentials_set])).toEqual([
      ['github', true, true],
      ['hubspot', true, true],
      ['linear', true, true],
      ['stripe', true, true],
    ]);
    expect(JSON.stringify(sources)).not.toContain('sk_test_dinobase_sandbox');
    const page = await fetch(`${server.url}/api/relay/stripe/v1/customers?limit=2`);
    expect(page.status).toBe(200);
    expect(((await page.json()) as { data: unknown[] }).data).toHaveLength(2);
  });

  it('returns a JSON 404 for unknown API routes', async () => {
    const res = await fetch(`${server.url}/api/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'No API route GET /api/nope', code: 'not_found' });
  });
});
