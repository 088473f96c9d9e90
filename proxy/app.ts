// The Hono app, runtime-neutral: access control, /api/sources credentials, the relay, the sandboxes and the UI.
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { createAccess, type AccessOptions } from './access.ts';
import type { AgentBridge } from './agent-bridge.ts';
import { ProxyError, redact } from './errors.ts';
import { mountDatasets } from './datasets/routes.ts';
import type { DatasetTarget } from './datasets/target.ts';
import { mountMcp, type McpOptions } from './mcp-http.ts';
import { securityHeaders } from './headers.ts';
import { createRelay, type UpstreamPipe } from './relay.ts';
import type { Sandboxes } from './sandbox/index.ts';
import { checkSourceName, parseSourceInput, type SourceStore } from './sources.ts';

export interface AppOptions {
  store: SourceStore;
  access: AccessOptions;
  /** Serves the built UI; the runtime adapter supplies it (Node: @hono/node-server's serveStatic). */
  staticFiles?: { assets: MiddlewareHandler; fallback: MiddlewareHandler; built: () => boolean };
  version?: string;
  /** The fake vendor APIs, mounted at /sandbox; omit to run without them. */
  sandboxes?: Sandboxes;
  relay?: { fetch?: typeof fetch; pipe?: UpstreamPipe; timeoutMs?: number; maxBodyBytes?: number };
  /** The agent tools at /mcp and the channel to the tab that runs them; omit to serve no /mcp. */
  mcp?: { options: McpOptions; bridge: AgentBridge };
  /** Published datasets served at /api/datasets* (DINOBASE_PUBLISH_URL); omit to serve none. */
  datasets?: DatasetTarget;
  /** Where errors are logged; every line is scrubbed of the secrets the store holds. */
  log?: (line: string) => void;
}

const startedAt = Date.now();

/** A path segment starting with a dot, other than .well-known. */
const HIDDEN_PATH = /\/\.(?!well-known(?:\/|$))/;

function tooLarge(limit: number) {
  return () => {
    throw new ProxyError(413, 'body_too_large', `Request bodies are limited to ${limit} bytes here.`);
  };
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await c.req.json();
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // fall through to the clear error below
  }
  throw new ProxyError(400, 'bad_json', 'Expected a JSON object body (Content-Type: application/json).');
}

export function createApp(options: AppOptions): Hono {
  const { store } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const maxRelayBody = options.relay?.maxBodyBytes ?? 1024 * 1024;
  const access = createAccess({
    ...options.access,
    publicPrefixes: options.sandboxes ? ['/sandbox/'] : [],
    agentChannel: options.mcp !== undefined && !options.mcp.options.headless,
  });
  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    for (const [name, value] of securityHeaders(type, c.res.headers.has('content-security-policy')))
      c.header(name, value);
  });
  app.use('*', access.guard);
  access.routes(app);

  app.get('/api/health', (c) =>
    c.json({
      status: 'ok',
      version: options.version ?? '0.1.0',
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      app_built: options.staticFiles?.built() ?? false,
      login_required: options.access.token !== undefined,
    }),
  );

  app.get('/api/sources', async (c) => c.json({ sources: await store.list() }));
  app.get('/api/sources/:name', async (c) => {
    const name = c.req.param('name');
    const source = (await store.list()).find((s) => s.name === name);
    if (!source)
      throw new ProxyError(404, 'unknown_source', `No source '${name.slice(0, 64)}' on this proxy.`);
    return c.json(source);
  });
  const small = bodyLimit({ maxSize: 64 * 1024, onError: tooLarge(64 * 1024) });
  app.put('/api/sources/:name/credentials', small, async (c) => {
    const name = c.req.param('name');
    checkSourceName(name);
    return c.json({ source: await store.put(name, parseSourceInput(await jsonBody(c))) });
  });
  app.delete('/api/sources/:name/credentials', async (c) => {
    const name = c.req.param('name');
    if (!(await store.delete(name))) {
      throw new ProxyError(404, 'unknown_source', `No stored credentials for '${name.slice(0, 64)}'.`);
    }
    return c.json({ deleted: true, source: (await store.list()).find((s) => s.name === name) ?? null });
  });

  const relay = createRelay({
    store,
    fetch: options.relay?.fetch,
    pipe: options.relay?.pipe,
    timeoutMs: options.relay?.timeoutMs,
  });
  const relayLimit = bodyLimit({ maxSize: maxRelayBody, onError: tooLarge(maxRelayBody) });
  // bodyLimit reads `c.req.raw.body`, which makes @hono/node-server build a full Request for every page
  // fetched; a GET or HEAD has no body to limit (and the relay sends none upstream).
  app.all(
    '/api/relay/:source/*',
    (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : relayLimit(c, next)),
    (c) => relay(c),
  );
  app.all('/api/relay/*', () => {
    throw new ProxyError(400, 'bad_relay_path', 'Relay paths look like /api/relay/<source>/<path>.');
  });

  if (options.sandboxes) app.route('/sandbox', options.sandboxes.app);
  if (options.mcp) mountMcp(app, options.mcp.options, options.mcp.bridge);
  if (options.datasets) mountDatasets(app, options.datasets);

  app.all('/api/*', (c) => {
    throw new ProxyError(404, 'not_found', `No API route ${c.req.method} ${c.req.path.slice(0, 200)}`);
  });

  if (options.staticFiles) {
    // Vite names assets by content hash, so they never change; index.html must always revalidate.
    app.use('/assets/*', async (c, next) => {
      await next();
      if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
    });
    // The service worker and the manifest name the current build: browsers must re-check them on every visit.
    app.use('/sw.js', async (c, next) => {
      await next();
      if (c.res.ok) c.header('Cache-Control', 'no-cache');
    });
    app.use('/manifest.webmanifest', async (c, next) => {
      await next();
      if (c.res.ok) c.header('Cache-Control', 'no-cache');
    });
    // Dotfiles (.env, .git/) are never served, even if a build copied them into dist/; /.well-known/ is.
    const { assets } = options.staticFiles;
    app.use('*', (c, next) => (HIDDEN_PATH.test(c.req.path) ? next() : assets(c, next)));
    app.get('*', options.staticFiles.fallback);
  }
  app.notFound((c) =>
    c.text(
      options.staticFiles?.built() ? 'Not found' : 'The app is not built yet: run `npm run build`.',
      404,
    ),
  );

  app.onError(async (error, c) => {
    if (error instanceof ProxyError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json({ error: error.message, code: error.code }, error.status);
    }
    if (error instanceof HTTPException)
      return c.json({ error: error.message, code: 'http_error' }, error.status);
    const secrets = await store.secretValues().catch(() => []);
    log(redact(`Error on ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`, secrets));
    return c.json({ error: 'Internal error; see the server log.', code: 'internal' }, 500);
  });
  return app;
}
