// Starts the server from the environment and prints where it is: shared by `npm start` (node/serve.ts) and `dinobase serve`.
import { ConfigError, configFromEnv, displayUrl, isLoopbackBind, UnsafeConfigError } from './config.ts';
import { openTarget, publishConfigFromEnv } from './datasets/config.ts';
import { defaultHome, startServer, type RunningServer, type ServerOptions } from './server.ts';

/** The running server, or null after printing why it could not start (a bad config, a port in use). */
export async function launch(
  env: Record<string, string | undefined>,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  /** What node/serve.ts composes in: the agent tools at /mcp. */
  extra: Partial<ServerOptions> = {},
): Promise<RunningServer | null> {
  try {
    const config = configFromEnv(env);
    const publish = publishConfigFromEnv(env);
    const datasets = extra.datasets ?? (publish ? await openTarget(publish.target) : undefined);
    const running = await startServer({ ...config, datasets, ...extra });
    const { store } = running;
    const port = Number(new URL(running.url).port);
    const { url, note } = displayUrl({ hostname: config.hostname, port, publicOrigin: config.publicOrigin });
    out(`Dinobase is running at ${url}${note ? ` (${note})` : ''}`);
    if (extra.mcp) out(`Agents connect to ${url}/mcp (MCP, Streamable HTTP).`);
    out(`Credentials are kept in ${store.location} (DINOBASE_HOME=${defaultHome(env)}).`);
    if (config.sandbox)
      out(`Sandbox APIs (Stripe, HubSpot, Linear, GitHub) are at ${url}/sandbox/ — no credentials needed.`);
    if (config.token) out(`Login is required: open ${url}/login and enter DINOBASE_TOKEN.`);
    if (datasets)
      out(`Published datasets (team data) are served at ${url}/api/datasets from ${datasets.location}.`);
    if (!isLoopbackBind(config.hostname) && !config.publicOrigin?.startsWith('https:')) {
      out(
        'Note: browsers only allow OPFS storage on https:// or on localhost/127.0.0.1; put a TLS reverse proxy in front.',
      );
    }
    return running;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    err(
      code === 'EADDRINUSE'
        ? `Port ${env.PORT ?? 8787} on ${env.HOST || '127.0.0.1'} is already in use; set PORT to another one.`
        : error instanceof UnsafeConfigError || error instanceof ConfigError
          ? error.message
          : String(error),
    );
    return null;
  }
}
