// Starts the Hono app on @hono/node-server and resolves once it listens (port 0 picks a free port).
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions } from './app.ts';

export interface RunningServer {
  url: string;
  server: ServerType;
  close(): Promise<void>;
}

export function startServer(
  options: AppOptions & { port?: number; hostname?: string } = {},
): Promise<RunningServer> {
  const app = createApp(options);
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
