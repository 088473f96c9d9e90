// The Node adapter: file-backed credentials, static files, peer addresses and listening via @hono/node-server.
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { defaultHome, fileBackend } from '../worker/home.ts';
import { clientAddressOf, isLoopbackHost } from './access.ts';
import { createApp } from './app.ts';
import { loadConnectors } from './connectors.ts';
import { createSandboxes, type Sandboxes } from './sandbox/index.ts';
import { SourceStore } from './sources.ts';

// The home directory and its credentials file are shared with the headless engine and the CLI.
export { defaultHome, fileBackend };

export interface RunningServer {
  url: string;
  server: ServerType;
  store: SourceStore;
  sandboxes?: Sandboxes;
  close(): Promise<void>;
}

export interface ServerOptions {
  port?: number;
  hostname?: string;
  /** The Vite build output; defaults to ./dist. */
  distDir?: string;
  /** Where credentials.json lives (default $DINOBASE_HOME or ~/.dinobase). */
  home?: string;
  /** Serve the sandbox APIs (default true). */
  sandbox?: boolean;
  sandboxes?: Sandboxes;
  /** Required unless the bind address is loopback. */
  token?: string;
  publicOrigin?: string;
  extraOrigins?: string[];
  /** DINOBASE_<SOURCE>_<FIELD> overrides; default process.env. */
  env?: Record<string, string | undefined>;
  relay?: { fetch?: typeof fetch; timeoutMs?: number; maxBodyBytes?: number };
  loginWindowMs?: number;
  /** Reverse proxies in front that append to X-Forwarded-For (DINOBASE_TRUSTED_PROXIES); default 0. */
  trustedProxies?: number;
  log?: (line: string) => void;
  version?: string;
}

/** Thrown before listening when the configuration would expose credentials. */
export class UnsafeConfigError extends Error {}

export const MIN_TOKEN_LENGTH = 16;

/** How long requests still running may finish once the server is closing. */
const CLOSE_GRACE_MS = 2000;

export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const hostname = options.hostname ?? '127.0.0.1';
  const loopback = isLoopbackHost(hostname.replace(/^\[|\]$/g, ''));
  const token = options.token || undefined;
  if (!loopback && !token) {
    return Promise.reject(
      new UnsafeConfigError(
        `Refusing to listen on ${hostname} without DINOBASE_TOKEN: anyone who reaches this port could use the stored API keys. ` +
          `Set DINOBASE_TOKEN (e.g. \`openssl rand -hex 32\`) or bind to 127.0.0.1.`,
      ),
    );
  }
  const publicHost = options.publicOrigin ? new URL(options.publicOrigin).hostname : null;
  if (publicHost && !isLoopbackHost(publicHost) && !token) {
    return Promise.reject(
      new UnsafeConfigError(
        `Refusing to serve ${options.publicOrigin} without DINOBASE_TOKEN: a public URL makes the stored API keys reachable. Set DINOBASE_TOKEN.`,
      ),
    );
  }
  if (token && token.length < MIN_TOKEN_LENGTH) {
    return Promise.reject(
      new UnsafeConfigError(`DINOBASE_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters long.`),
    );
  }
  const sandboxes = options.sandboxes ?? (options.sandbox === false ? undefined : createSandboxes());
  const distDir = resolve(options.distDir ?? 'dist');
  const home = options.home ?? defaultHome(env);
  let selfOrigin = '';
  const store = new SourceStore({
    backend: fileBackend(home),
    connectors: loadConnectors(),
    env,
    sandbox: sandboxes ? { origin: () => selfOrigin, credentials: { ...sandboxes.credentials } } : undefined,
  });
  const app = createApp({
    store,
    version: options.version,
    sandboxes,
    relay: options.relay,
    log: options.log,
    access: {
      token,
      loopback,
      publicOrigin: options.publicOrigin,
      extraOrigins: options.extraOrigins,
      loginWindowMs: options.loginWindowMs,
      clientAddress: (c) =>
        clientAddressOf(
          getConnInfo(c).remote.address,
          c.req.header('x-forwarded-for'),
          options.trustedProxies,
        ),
    },
    staticFiles: {
      built: () => existsSync(resolve(distDir, 'index.html')),
      assets: serveStatic({
        root: distDir,
        precompressed: true,
        onFound: (path, c) => {
          if (path.endsWith('.html')) c.header('Cache-Control', 'no-cache');
          // Hashed names never change content; a cached wasm response is also where V8 keeps its compiled code.
          else if (/\/assets\/[^/]+-[\w-]{8}\.\w+$/.test(path))
            c.header('Cache-Control', 'public, max-age=31536000, immutable');
        },
      }),
      fallback: serveStatic({ root: distDir, path: 'index.html' }),
    },
  });
  return new Promise((done, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 8787, hostname }, (info: AddressInfo) => {
      const host = hostname.includes(':') ? `[${hostname}]` : hostname;
      // The relay reaches this server's own sandboxes over loopback, whatever address it is bound to.
      const selfHost = loopback
        ? host
        : info.family === 'IPv6' && hostname !== '0.0.0.0'
          ? '[::1]'
          : '127.0.0.1';
      selfOrigin = `http://${selfHost}:${info.port}`;
      done({
        url: `http://${host}:${info.port}`,
        server,
        store,
        sandboxes,
        close: () =>
          new Promise<void>((closed) => {
            server.close(() => closed());
            // Keep-alive sockets an open tab holds would delay the close by their whole timeout (seen: 35 s);
            // idle ones go now, requests still running get a short grace.
            if (!('closeIdleConnections' in server)) return;
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
          }),
      });
    });
    server.once('error', reject);
  });
}
