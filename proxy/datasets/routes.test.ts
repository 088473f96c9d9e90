import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, portOf, rawRequest } from '../../test/probe-kit.ts';
import { DatasetList, DatasetManifest } from '../contract.ts';
import { startServer, type RunningServer } from '../server.ts';
import { DirectoryTarget } from './dir-target.ts';

const TOKEN = 'full-token-0123456789abcdef';
const READ_TOKEN = 'read-token-0123456789abcdef';
const VERSION = 'v20261204T173000Z-3f2a9c1b';
const OLD = 'v20261204T163000Z-aa11bb22';
const root = mkdtempSync(join(tmpdir(), 'dinobase-datasets-'));
/** A dataset beside the publish root, laid out like one: no request may reach it. */
const outside = mkdtempSync(join(tmpdir(), 'dinobase-outside-'));
const OUTSIDE = outside.split('/').at(-1)!;
const CANARY = 'canary-outside-the-publish-root';
const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
const sha256 = createHash('sha256').update(bytes).digest('hex');

const manifest: DatasetManifest = {
  format: 'dinobase-dataset/1',
  source: 'stripe',
  source_type: 'stripe',
  version: VERSION,
  sync_id: '3f2a9c1b-0000-4000-8000-000000000000',
  synced_at: '2026-12-04T17:29:58.000Z',
  published_at: '2026-12-04T17:30:00.000Z',
  rows: 10,
  bytes: bytes.length,
  tables: [
    {
      name: 'customers',
      rows: 10,
      bytes: bytes.length,
      columns: [{ name: 'id', type: 'VARCHAR' }],
      files: [{ path: `customers/${VERSION}/part-00000.parquet`, rows: 10, bytes: bytes.length, sha256 }],
    },
  ],
  versions: [VERSION, OLD],
};

let server: RunningServer;
const auth = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
const file = `/api/datasets/stripe/customers/${VERSION}/part-00000.parquet`;

/** The app's files: a read-only login loads the app too (it reads team data in it). */
const dist = mkdtempSync(join(tmpdir(), 'dinobase-dist-'));

beforeAll(async () => {
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Dinobase</title>');
  for (const version of [VERSION, OLD]) {
    mkdirSync(join(root, 'stripe', 'customers', version), { recursive: true });
    writeFileSync(join(root, 'stripe', 'customers', version, 'part-00000.parquet'), bytes);
  }
  writeFileSync(join(root, 'stripe', 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(outside, 'manifest.json'), JSON.stringify({ ...manifest, source: CANARY }));
  mkdirSync(join(outside, 'customers', VERSION), { recursive: true });
  writeFileSync(join(outside, 'customers', VERSION, 'part-00000.parquet'), CANARY);
  // A directory without a manifest (a first publish still uploading) is not a dataset yet.
  mkdirSync(join(root, 'hubspot', 'contacts', VERSION), { recursive: true });
  server = await startServer({
    port: 0,
    sandbox: false,
    token: TOKEN,
    readToken: READ_TOKEN,
    distDir: dist,
    home: mkdtempSync(join(tmpdir(), 'dinobase-home-')),
    datasets: new DirectoryTarget(root),
  });
});
afterAll(async () => {
  await server.close();
  rmSync(outside, { recursive: true, force: true });
});

describe('GET /api/datasets over real HTTP on loopback (local directory)', () => {
  it('lists every source that has a manifest, with its size, rows and tables', async () => {
    const res = await fetch(`${server.url}/api/datasets`, { headers: auth() });
    expect(res.status).toBe(200);
    const body = DatasetList.parse(await res.json());
    expect(body.datasets).toEqual([
      {
        source: 'stripe',
        source_type: 'stripe',
        version: VERSION,
        synced_at: manifest.synced_at,
        published_at: manifest.published_at,
        rows: 10,
        bytes: 1000,
        tables: [{ name: 'customers', rows: 10, bytes: 1000 }],
      },
    ]);
  });

  it('serves the manifest with its version as ETag, and 304 when it did not change', async () => {
    const res = await fetch(`${server.url}/api/datasets/stripe/manifest.json`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${VERSION}"`);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(DatasetManifest.parse(await res.json())).toEqual(manifest);
    const again = await fetch(`${server.url}/api/datasets/stripe/manifest.json`, {
      headers: { ...auth(), 'if-none-match': `"${VERSION}"` },
    });
    expect(again.status).toBe(304);
    const changed = await fetch(`${server.url}/api/datasets/stripe/manifest.json`, {
      headers: { ...auth(), 'if-none-match': `"${OLD}"` },
    });
    expect(changed.status).toBe(200);
  });

  it('serves a file whole, immutable, with its sha256 as ETag', async () => {
    const res = await fetch(`${server.url}${file}`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${sha256}"`);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    const cached = await fetch(`${server.url}${file}`, {
      headers: { ...auth(), 'if-none-match': `"${sha256}"` },
    });
    expect(cached.status).toBe(304);
  });

  it('serves byte ranges (206, Content-Range) and refuses bad ones with 416', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=900-', 900, 999],
      ['bytes=-8', 992, 999],
      ['bytes=990-5000', 990, 999],
    ];
    for (const [range, start, end] of cases) {
      const res = await fetch(`${server.url}${file}`, { headers: { ...auth(), range } });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(start, end + 1));
    }
    for (const range of ['bytes=1000-', 'bytes=5-2', 'bytes=-0', 'items=0-1', 'bytes=0-1,4-5']) {
      const res = await fetch(`${server.url}${file}`, { headers: { ...auth(), range } });
      expect(res.status, range).toBe(416);
      expect(res.headers.get('content-range')).toBe('bytes */1000');
      expect(await res.json()).toMatchObject({ code: 'bad_range' });
    }
  });

  it('still serves a kept older version, with the storage tag', async () => {
    const res = await fetch(`${server.url}/api/datasets/stripe/customers/${OLD}/part-00000.parquet`, {
      headers: auth(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it('answers 404 JSON for anything outside the layout, and never leaves the root', async () => {
    const paths = [
      '/api/datasets/hubspot/manifest.json',
      '/api/datasets/nope/manifest.json',
      `/api/datasets/stripe/customers/${VERSION}/part-00001.parquet`,
      `/api/datasets/stripe/customers/${VERSION}/secret.txt`,
      '/api/datasets/stripe/customers/v1/part-00000.parquet',
      `/api/datasets/stripe/..%2F..%2Fetc/${VERSION}/part-00000.parquet`,
      `/api/datasets/stripe/%2e%2e/${VERSION}/part-00000.parquet`,
      '/api/datasets/stripe/customers',
      '/api/datasets/..%2Fmanifest.json',
    ];
    for (const path of paths) {
      const res = await fetch(`${server.url}${path}`, { headers: auth() });
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ code: expect.stringMatching(/unknown_dataset|not_found/) });
    }
    const write = await fetch(`${server.url}/api/datasets/stripe/manifest.json`, {
      method: 'PUT',
      headers: auth(),
    });
    expect(write.status).toBe(405);
  });

  it('a name with "..", slashes or encoded slashes, sent as is, never reaches a file beside the root', async () => {
    const file = `customers/${VERSION}/part-00000.parquet`;
    const encoded = [
      `/api/datasets/..%2F${OUTSIDE}/manifest.json`,
      `/api/datasets/..%2f${OUTSIDE}/${file}`,
      `/api/datasets/%2e%2e%2F${OUTSIDE}/manifest.json`,
      `/api/datasets/%2E%2E%5C${OUTSIDE}/manifest.json`,
      `/api/datasets/..%5C${OUTSIDE}/manifest.json`,
      `/api/datasets/%252e%252e%252f${OUTSIDE}/manifest.json`,
      `/api/datasets/stripe%2F..%2F..%2F${OUTSIDE}/manifest.json`,
      `/api/datasets/stripe/..%2F..%2F${OUTSIDE}%2Fcustomers/${VERSION}/part-00000.parquet`,
      `/api/datasets/%2e%2e/${OUTSIDE}/${file}`,
    ];
    for (const path of encoded) {
      const res = await rawRequest({ port: portOf(server.url), path, headers: auth() });
      expect(res.status, path).toBe(404);
      expect(errorCode(res), path).toMatch(/unknown_dataset|not_found/);
      expect(res.text, path).not.toContain(CANARY);
    }
    // Plain dot segments are resolved by the URL parser before routing (they leave /api/datasets), and Node's
    // parser refuses a raw backslash with 400: whatever the answer (the app's page, a 404, a 400), never the file.
    for (const path of [
      `/api/datasets/..\\${OUTSIDE}/manifest.json`,
      `/api/datasets/../${OUTSIDE}/manifest.json`,
      `/api/datasets/../../${OUTSIDE}/manifest.json`,
      `/api/datasets/stripe/../../../${OUTSIDE}/${file}`,
    ]) {
      const res = await rawRequest({ port: portOf(server.url), path, headers: auth() });
      expect(res.text, path).not.toContain(CANARY);
    }
  });
});

describe('DINOBASE_READ_TOKEN: the read-only role', () => {
  it('reads datasets and nothing else', async () => {
    expect((await fetch(`${server.url}/api/datasets`, { headers: auth(READ_TOKEN) })).status).toBe(200);
    expect((await fetch(`${server.url}${file}`, { headers: auth(READ_TOKEN) })).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/sources'],
      ['GET', '/api/relay/stripe/v1/customers'],
      ['PUT', '/api/sources/stripe/credentials'],
      ['POST', '/mcp'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method, headers: auth(READ_TOKEN) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'read_only' });
    }
    // The full token still reaches the rest; no token reaches nothing.
    expect((await fetch(`${server.url}/api/sources`, { headers: auth() })).status).toBe(200);
    expect((await fetch(`${server.url}/api/datasets`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/api/datasets`, { headers: auth('wrong-token-0123456789') })).status,
    ).toBe(401);
  });

  it('logs in to a read-only session cookie that the role cannot widen', async () => {
    const login = await fetch(`${server.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: READ_TOKEN }),
    });
    expect(await login.json()).toMatchObject({ ok: true, role: 'read' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await fetch(`${server.url}/api/datasets`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/sources`, { headers: { cookie } })).status).toBe(403);
    const app = await fetch(`${server.url}/`, { headers: { cookie } });
    expect(app.status).toBe(200);
    expect(await app.text()).toContain('<title>Dinobase</title>');
    const session = await fetch(`${server.url}/api/session`, { headers: { cookie } });
    expect(await session.json()).toEqual({
      login_required: true,
      authenticated: true,
      role: 'read',
      agent_channel: false,
    });
  });
});
