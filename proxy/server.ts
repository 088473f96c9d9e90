// The Node adapter: file-backed credentials, static files, peer addresses and listening via @hono/node-server.
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { defaultHome } from '../worker/home.ts';
import { fileBackend } from './file-store.ts';
import { clientAddressOf } from './access.ts';
import { AgentBridge } from './agent-bridge.ts';
import { acceptAgentSockets } from './agent-socket.ts';
import { createApp } from './app.ts';
import { checkAccess, isLoopbackBind, localUrl } from './config.ts';
import { loadConnectors } from './connectors.ts';
import type { DatasetTarget } from './datasets/target.ts';
import { DEFAULT_MAX_ANSWER_BYTES, type McpOptions } from './mcp-http.ts';
import { nodeUpstreamPipe } from './relay-node.ts';
import type { UpstreamPipe } from './relay.ts';
import { createSandboxes, type Sandboxes } from './sandbox/index.ts';
import { SourceStore } from './sources.ts';

// The home directory and its credentials file are shared with the headless engine and the CLI.
export { defaultHome, fileBackend };

export interface RunningServer {
  /** Where this machine reaches the server: loopback for a 0.0.0.0 or :: bind. */
  url: string;
  server: ServerType;
  store: SourceStore;
  sandboxes?: Sandboxes;
  /** The channel to the open tab, when /mcp is served. */
  bridge?: AgentBridge;
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
  /** DINOBASE_READ_TOKEN: read-only access to /api/datasets*. */
  readToken?: string;
  /** Where published datasets are read from for /api/datasets (DINOBASE_PUBLISH_URL); omit to serve none. */
  datasets?: DatasetTarget;
  publicOrigin?: string;
  extraOrigins?: string[];
  /** DINOBASE_<SOURCE>_<FIELD> overrides; default process.env. */
  env?: Record<string, string | undefined>;
  /** `pipe` defaults to relay-node.ts's (GET and HEAD streamed through node:http), unless `fetch` is given. */
  relay?: { fetch?: typeof fetch; pipe?: UpstreamPipe; timeoutMs?: number; maxBodyBytes?: number };
  loginWindowMs?: number;
  /** Reverse proxies in front that append to X-Forwarded-For (DINOBASE_TRUSTED_PROXIES); default 0. */
  trustedProxies?: number;
  log?: (line: string) => void;
  version?: string;
  /** Serves the agent tools at /mcp (node/serve.ts composes them); omit for none. */
  mcp?: McpOptions;
}

/** How long requests still running may finish once the server is closing. */
const CLOSE_GRACE_MS = 2000;

export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const hostname = options.hostname ?? '127.0.0.1';
  const loopback = isLoopbackBind(hostname);
  const token = options.token || undefined;
  try {
    checkAccess({ hostname, token, readToken: options.readToken, publicOrigin: options.publicOrigin });
  } catch (error) {
    return Promise.reject(error);
  }
  const sandboxes = options.sandboxes ?? (options.sandbox === false ? undefined : createSandboxes());
  const distDir = resolve(options.distDir ?? 'dist');
  const home = options.home ?? defaultHome(env);
  let selfOrigin = '';
  const appUrl = () => options.publicOrigin ?? selfOrigin;
  const bridge = options.mcp ? new AgentBridge({ appUrl, timeoutMs: options.mcp.timeoutMs }) : undefined;
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
    relay: {
      ...options.relay,
      pipe: options.relay?.pipe ?? (options.relay?.fetch ? undefined : nodeUpstreamPipe()),
    },
    mcp: options.mcp && bridge ? { options: options.mcp, bridge } : undefined,
    log: options.log,
    datasets: options.datasets,
    access: {
      token,
      readToken: options.readToken || undefined,
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
      // The relay reaches this server's own sandboxes where this machine reaches it (loopback for 0.0.0.0/::).
      selfOrigin = localUrl(hostname, info.port);
      done({
        url: selfOrigin,
        server,
        store,
        sandboxes,
        bridge,
        close: () =>
          new Promise<void>((closed) => {
            // Open channels are endless streams and sockets: end them, or the close would wait for the grace period.
            stopSockets();
            bridge?.close();
            server.close(() => closed());
            // Keep-alive sockets an open tab holds would delay the close by their whole timeout (seen: 35 s);
            // idle ones go now, requests still running get a short grace.
            if (!('closeIdleConnections' in server)) return;
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
          }),
      });
    });
    const stopSockets =
      bridge && !options.mcp?.headless
        ? acceptAgentSockets(server as Server, app, bridge, {
            maxPayload: options.mcp?.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES,
          })
        : () => undefined;
    server.once('error', reject);
  });
}
