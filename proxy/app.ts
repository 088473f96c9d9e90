// The Hono app: serves the built UI (wasm included, precompressed, cached by hash) and the /api routes.
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Sandboxes } from './sandbox/index.ts';

export interface AppOptions {
  /** The Vite build output; defaults to ./dist. */
  distDir?: string;
  version?: string;
  /** The fake vendor APIs, mounted at /sandbox and offered as demo sources; omit to run without them. */
  sandboxes?: Sandboxes;
}

const SANDBOX_TYPES = ['stripe', 'hubspot', 'linear', 'github'] as const;

const startedAt = Date.now();

export function createApp(options: AppOptions = {}): Hono {
  const distDir = resolve(options.distDir ?? 'dist');
  const app = new Hono();

  app.get('/api/health', (c) =>
    c.json({
      status: 'ok',
      version: options.version ?? '0.1.0',
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      app_built: existsSync(resolve(distDir, 'index.html')),
    }),
  );

  // Demo keys only open the sandbox fakes on this server; they are public and safe in the browser.
  app.get('/api/demo-sources', (c) =>
    c.json({
      sources: options.sandboxes
        ? SANDBOX_TYPES.map((type) => ({
            name: type,
            type,
            base_url: `/sandbox/${type}/`,
            credentials: options.sandboxes!.credentials[type],
          }))
        : [],
    }),
  );
  if (options.sandboxes) app.route('/sandbox', options.sandboxes.app);

  app.all('/api/*', (c) =>
    c.json({ error: `No API route ${c.req.method} ${c.req.path}`, code: 'not_found' }, 404),
  );

  // Vite names assets by content hash, so they never change; index.html must always revalidate.
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  app.use(
    '*',
    serveStatic({
      root: distDir,
      precompressed: true,
      onFound: (path, c) => {
        if (path.endsWith('.html')) c.header('Cache-Control', 'no-cache');
      },
    }),
  );
  app.get('*', serveStatic({ root: distDir, path: 'index.html' }));
  app.notFound((c) =>
    c.text(
      existsSync(resolve(distDir, 'index.html'))
        ? 'Not found'
        : 'The app is not built yet: run `npm run build`.',
      404,
    ),
  );

  app.onError((error, c) => {
    if (error instanceof HTTPException)
      return c.json({ error: error.message, code: 'http_error' }, error.status);
    console.error(error);
    return c.json({ error: 'Internal error', code: 'internal' }, 500);
  });
  return app;
}
