// Test doubles for proxy suites: raw HTTP requests, a recording stand-in vendor API, a canary, temp dirs.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface RawRequest {
  port: number;
  /** Sent verbatim as the request target: `..`, backslashes and absolute-form URLs are not normalised. */
  path: string;
  method?: string;
  /** Defaults to `127.0.0.1:<port>`; pass another to probe the Host check. */
  host?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
  /**
   * Declare the whole body's length but send only this many bytes, then wait for the answer: a refusal by
   * Content-Length arrives before the upload ends (node's client reports a mid-upload close as a hang-up).
   */
  truncateAt?: number;
}

/** One request over node:http with the target and headers exactly as given. */
export function rawRequest(options: RawRequest): Promise<RawResponse> {
  return new Promise((done, reject) => {
    const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${options.port}` };
    Object.assign(headers, options.headers);
    if (options.body !== undefined && !options.chunked)
      headers['content-length'] = String(Buffer.byteLength(options.body));
    const request = http.request(
      { host: '127.0.0.1', port: options.port, path: options.path, method: options.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          done({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
          if (options.truncateAt !== undefined) request.destroy();
        });
        res.on('error', reject);
      },
    );
    // The server may answer (413) and close before a large upload is written out.
    request.on('error', reject);
    if (options.truncateAt !== undefined && options.body !== undefined) {
      request.write(Buffer.from(options.body).subarray(0, options.truncateAt));
      return;
    }
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

/** The JSON error body every proxy refusal carries. */
export function errorCode(res: RawResponse): string | undefined {
  try {
    const body = JSON.parse(res.text) as { code?: unknown; error?: unknown };
    return typeof body.code === 'string' && typeof body.error === 'string' ? body.code : undefined;
  } catch {
    return undefined;
  }
}

export interface Seen {
  method: string;
  /** The request target as the upstream received it (path and query, still percent-encoded). */
  target: string;
  headers: Record<string, string>;
  body: string;
}

export interface Upstream {
  port: number;
  origin: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** Serves `app` on a free loopback port, recording every request it gets before the app answers. */
export function serveRecording(app: Hono): Promise<Upstream> {
  const seen: Seen[] = [];
  const outer = new Hono();
  outer.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    const body = ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.raw.clone().text();
    seen.push({
      method: c.req.method,
      target: url.pathname + url.search,
      headers: Object.fromEntries(c.req.raw.headers),
      body,
    });
    await next();
  });
  outer.route('/', app);
  return new Promise((done) => {
    const server: ServerType = serve({ fetch: outer.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      done({
        port: info.port,
        origin: `http://127.0.0.1:${info.port}`,
        seen,
        close: () => closeServer(server),
      });
    });
  });
}

/** A loopback server that must never be reached; `seen.length` counts the requests that did. */
export function startCanary(): Promise<Upstream> {
  const app = new Hono();
  app.all('*', (c) => c.text('canary reached', 200));
  return serveRecording(app);
}

export function closeServer(server: ServerType): Promise<void> {
  return new Promise((done) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => done());
  });
}

/** A loopback port nobody listens on (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((done, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

export const INDEX_HTML = '<!doctype html><title>Dinobase probe shell</title>';

/** A stand-in Vite build: just an index.html. */
export function tempDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dinobase-dist-'));
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  return dir;
}

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'dinobase-home-'));
}

export const portOf = (url: string) => Number(new URL(url).port);
