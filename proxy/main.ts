// `npm start` entry: reads the environment, serves the app, API and relay on HOST:PORT, and prints the URL.
import { isLoopbackHost } from './access.ts';
import { defaultHome, startServer, UnsafeConfigError } from './server.ts';

const env = process.env;
const port = Number(env.PORT ?? 8787);
const hostname = env.HOST ?? '127.0.0.1';
const loopback = isLoopbackHost(hostname.replace(/^\[|\]$/g, ''));
const flag = (value: string | undefined) =>
  value === undefined || value === ''
    ? undefined
    : !['0', 'false', 'off', 'no'].includes(value.toLowerCase());
// On a public bind the sandboxes are off unless asked for: their write endpoints are open to anyone.
const sandbox = flag(env.DINOBASE_SANDBOX) ?? loopback;
const number = (name: string) => (env[name] ? Number(env[name]) : undefined);

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer between 0 and 65535, got "${env.PORT}".`);
  process.exit(1);
}

try {
  const { url, store } = await startServer({
    port,
    hostname,
    sandbox,
    token: env.DINOBASE_TOKEN,
    publicOrigin: env.DINOBASE_PUBLIC_URL ? new URL(env.DINOBASE_PUBLIC_URL).origin : undefined,
    extraOrigins: env.DINOBASE_ALLOWED_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    trustedProxies: number('DINOBASE_TRUSTED_PROXIES'),
    relay: {
      timeoutMs: number('DINOBASE_RELAY_TIMEOUT_MS'),
      maxBodyBytes: number('DINOBASE_RELAY_MAX_BODY_BYTES'),
    },
  });
  console.log(`Dinobase is running at ${url}`);
  console.log(`Credentials are kept in ${store.location} (DINOBASE_HOME=${defaultHome(env)}).`);
  if (sandbox)
    console.log(
      `Sandbox APIs (Stripe, HubSpot, Linear, GitHub) are at ${url}/sandbox/ — no credentials needed.`,
    );
  if (env.DINOBASE_TOKEN) console.log('Login is required: open /login and enter DINOBASE_TOKEN.');
  if (!loopback && !env.DINOBASE_PUBLIC_URL?.startsWith('https:')) {
    console.log(
      'Note: browsers only allow OPFS storage on https:// or on localhost/127.0.0.1; put a TLS reverse proxy in front.',
    );
  }
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `Port ${port} on ${hostname} is already in use; set PORT to another one.`
      : error instanceof UnsafeConfigError
        ? error.message
        : String(error),
  );
  process.exit(1);
}
