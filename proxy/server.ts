// Starts the Hono app on @hono/node-server and resolves once it listens (port 0 picks a free port).
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions } from './app.ts';
import { createSandboxes } from './sandbox/index.ts';

export interface RunningServer {
  url: string;
  server: ServerType;
  close(): Promise<void>;
}

export interface ServerOptions extends AppOptions {
  port?: number;
  hostname?: string;
  /** Serve the sandbox APIs (default true). */
  sandbox?: boolean;
}

export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const sandboxes = options.sandboxes ?? (options.sandbox === false ? undefined : createSandboxes());
  const app = createApp({ ...options, sandboxes });
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 8787, hostname }, (info: AddressInfo) => {
      const host = hostname.includes(':') ? `[${hostname}]` : hostname;
      resolve({
        url: `http://${host}:${info.port}`,
        server,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
    server.once('error', reject);
  });
}
