// The relay's Node pipe (relay-node.ts) against real loopback vendors: the same answers as fetch, gzip passed through, TLS checked.
import { Hono } from 'hono';
import { createServer, type Server } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned } from '../test/e2e/tls-proxy.ts';
import {
  errorCode,
  rawRequest,
  serveRecording,
  tempDist,
  tempHome,
  type Upstream,
} from '../test/probe-kit.ts';
import { nodeUpstreamPipe } from './relay-node.ts';
import { startServer, type RunningServer, type ServerOptions } from './server.ts';

const KEY = 'sk_test_pipe_secret_1';
const CUSTOMERS = JSON.stringify({ object: 'list', data: [{ id: 'cus_1', name: 'Ada' }], has_more: false });

let upstream: Upstream;
let tls: { server: Server; port: number; cert: Buffer };
/** Vendors that break HTTP: one answers with garbage, one cuts its body off; each on its own loopback port. */
let garbage: TcpServer;
let cutOff: TcpServer;

function tcpVendor(answer: string, end: 'end' | 'destroy'): Promise<TcpServer> {
  const server = createTcpServer((socket) => {
    socket.once('data', () => {
      socket.write(answer);
      if (end === 'end') socket.end();
      else setImmediate(() => socket.destroy());
    });
  });
  return new Promise((listening) => server.listen(0, '127.0.0.1', () => listening(server)));
}
const tcpBase = (server: TcpServer) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const servers: RunningServer[] = [];

function vendor(): Hono {
  const app = new Hono();
  app.get('/v1/customers', (c) => {
    const headers = {
      'Content-Type': 'application/json',
      'Request-Id': 'req_pipe',
      'Set-Cookie': 'vendor_session=abc',
      'X-Internal-Debug': 'upstream-only',
    };
    // As vendors do: compressed only for a client that says it takes gzip.
    if (!/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) return c.body(CUSTOMERS, 200, headers);
    return c.body(gzipSync(CUSTOMERS), 200, { ...headers, 'Content-Encoding': 'gzip' });
  });
  return app;
}

/** A proxy whose source `fake` points at `base`, with the given relay options. */
async function proxyFor(
  base: string,
  relay: ServerOptions['relay'],
  more: Partial<ServerOptions> = {},
): Promise<RunningServer> {
  const server = await startServer({
    ...more,
    port: 0,
    distDir: tempDist(),
    home: tempHome(),
    relay,
    log: () => undefined,
    env: { DINOBASE_FAKE_TYPE: 'stripe', DINOBASE_FAKE_API_KEY: KEY, DINOBASE_FAKE_BASE_URL: base },
  });
  servers.push(server);
  return server;
}

const portOf = (server: RunningServer) => Number(new URL(server.url).port);
const get = (server: RunningServer, headers: Record<string, string> = {}) =>
  rawRequest({ port: portOf(server), path: '/api/relay/fake/v1/customers', headers });

beforeAll(async () => {
  upstream = await serveRecording(vendor());
  const { key, cert } = selfSigned('localhost');
  const server = createServer({ key, cert }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(CUSTOMERS);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  tls = { server, port: (server.address() as AddressInfo).port, cert };
  garbage = await tcpVendor('this is not HTTP at all\r\n\r\n', 'end');
  cutOff = await tcpVendor(
    'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"object":"list","da',
    'destroy',
  );
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await upstream.close();
  await new Promise((closed) => tls.server.close(closed));
  for (const server of [garbage, cutOff]) await new Promise((closed) => server.close(closed));
});

describe('the Node pipe', () => {
  it('answers a GET as the fetch transport does: status, kept headers, body, the key injected', async () => {
    const piped = await proxyFor(`${upstream.origin}/`, {});
    const fetched = await proxyFor(`${upstream.origin}/`, { fetch: (input, init) => fetch(input, init) });
    const [a, b] = [await get(piped), await get(fetched)];
    for (const res of [a, b]) {
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual(JSON.parse(CUSTOMERS));
      expect(res.headers['request-id']).toBe('req_pipe');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['x-internal-debug']).toBeUndefined();
      // What the app's middleware adds after the relay answers, which a piped answer must carry by itself.
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    const auth = upstream.seen.slice(-2).map((s) => s.headers.authorization);
    expect(auth).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`]);
  });

  it('keeps the CORS headers the access guard set for an allowed origin', async () => {
    const origin = 'http://tool.example';
    const piped = await proxyFor(`${upstream.origin}/`, {}, { extraOrigins: [origin] });
    const res = await get(piped, { origin });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.text).toBe(CUSTOMERS);
  });

  it('passes a gzip answer through compressed when the client takes gzip, and plain when it does not', async () => {
    const piped = await proxyFor(`${upstream.origin}/`, {});
    const zipped = await get(piped, { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.byteLength);
    expect(gunzipSync(zipped.body).toString('utf8')).toBe(CUSTOMERS);
    const plain = await get(piped);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(CUSTOMERS);
  });

  it('reaches an https vendor, verifying its certificate: trusted, it answers; untrusted, a 502', async () => {
    const base = `https://localhost:${tls.port}/`;
    const trusted = await proxyFor(base, { pipe: nodeUpstreamPipe({ ca: tls.cert }) });
    const ok = await get(trusted);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe(CUSTOMERS);
    const untrusted = await proxyFor(base, {});
    const refused = await get(untrusted);
    expect(refused.status).toBe(502);
    expect(errorCode(refused)).toBe('upstream_unreachable');
    expect(refused.text).not.toContain(KEY);
  });

  it('answers a vendor that does not speak HTTP with 502 upstream_unreachable, and goes on serving', async () => {
    const proxy = await proxyFor(tcpBase(garbage), {});
    const res = await get(proxy);
    expect(res.status).toBe(502);
    expect(errorCode(res)).toBe('upstream_unreachable');
    expect(res.text).not.toContain(KEY);
    const again = await get(proxy);
    expect(again.status).toBe(502);
  });

  it("ends the client's answer when the vendor cuts its body off, rather than leaving it hanging", async () => {
    const proxy = await proxyFor(tcpBase(cutOff), {});
    // Status and headers went out before the cut: the client sees the body end early and fail.
    await expect(get(proxy)).rejects.toThrow();
    // The same server takes the next request and answers it the same way: the cut neither hung nor stopped it.
    await expect(get(proxy)).rejects.toThrow();
  });
});
