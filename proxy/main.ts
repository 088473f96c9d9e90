// Reads the environment, serves the app, API and relay on HOST:PORT, and prints the URL; node/serve.ts (`npm start`) adds /mcp.
import { ConfigError, configFromEnv, displayUrl, isLoopbackBind, UnsafeConfigError } from './config.ts';
import { defaultHome, startServer, type ServerOptions } from './server.ts';

/** Starts the server from process.env with `extra` (the composed agent tools); exits with a clear line on bad config. */
export async function serveFromEnv(extra: Partial<ServerOptions> = {}): Promise<void> {
  const env = process.env;
  try {
    const config = configFromEnv(env);
    const running = await startServer({ ...config, ...extra });
    const { store } = running;
    const port = Number(new URL(running.url).port);
    const { url, note } = displayUrl({ hostname: config.hostname, port, publicOrigin: config.publicOrigin });
    console.log(`Dinobase is running at ${url}${note ? ` (${note})` : ''}`);
    if (extra.mcp) console.log(`Agents connect to ${url}/mcp (MCP, Streamable HTTP).`);
    console.log(`Credentials are kept in ${store.location} (DINOBASE_HOME=${defaultHome(env)}).`);
    if (config.sandbox)
      console.log(
        `Sandbox APIs (Stripe, HubSpot, Linear, GitHub) are at ${url}/sandbox/ — no credentials needed.`,
      );
    if (config.token) console.log(`Login is required: open ${url}/login and enter DINOBASE_TOKEN.`);
    if (!isLoopbackBind(config.hostname) && !config.publicOrigin?.startsWith('https:')) {
      console.log(
        'Note: browsers only allow OPFS storage on https:// or on localhost/127.0.0.1; put a TLS reverse proxy in front.',
      );
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `Port ${env.PORT ?? 8787} on ${env.HOST || '127.0.0.1'} is already in use; set PORT to another one.`
        : error instanceof UnsafeConfigError || error instanceof ConfigError
          ? error.message
          : String(error),
    );
    process.exit(1);
  }
}
