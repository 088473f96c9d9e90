// Serves sandboxes (tests, `dinobase sandbox`) mounted at /sandbox on a loopback port, exactly as the proxy mounts them.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createSandboxes, type SandboxOptions, type Sandboxes } from './index.ts';

export interface ServedSandboxes {
  sandboxes: Sandboxes;
  /** Origin plus mount, e.g. http://127.0.0.1:1234/sandbox */
  base: string;
  close(): Promise<void>;
}

/** `port` 0 (the default) takes a free one; always on loopback. Also `dinobase sandbox`'s server. */
export function serveSandboxes(options: SandboxOptions & { port?: number } = {}): Promise<ServedSandboxes> {
  const sandboxes = createSandboxes(options);
  const app = new Hono();
  app.route('/sandbox', sandboxes.app);
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' },
      (info: AddressInfo) => {
        resolve({
          sandboxes,
          base: `http://127.0.0.1:${info.port}/sandbox`,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      },
    );
    server.once('error', reject);
  });
}
