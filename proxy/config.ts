// The server's configuration from the environment, checked before anything is built or bound, and the address to print.
import { isLoopbackHost } from './access.ts';

/** Thrown before listening when the configuration would expose credentials. */
export class UnsafeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeConfigError';
  }
}

/** Thrown for a setting that cannot be read (a PORT that is not a port, a URL that is not a URL). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const MIN_TOKEN_LENGTH = 16;

/** What `npm start` / `npm run serve` pass to startServer. */
export interface EnvConfig {
  port: number;
  hostname: string;
  sandbox: boolean;
  token?: string;
  /** DINOBASE_READ_TOKEN: the read-only role for team data (GET /api/datasets*). */
  readToken?: string;
  publicOrigin?: string;
  extraOrigins?: string[];
  trustedProxies?: number;
  relay: { timeoutMs?: number; maxBodyBytes?: number };
}

const unbracket = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

/** Bound to 127.0.0.1/::1/localhost only. */
export function isLoopbackBind(hostname: string): boolean {
  return isLoopbackHost(unbracket(hostname));
}

/**
 * Refuses what would let anyone who reaches the port use the stored API keys: a non-loopback bind, or a
 * public URL, without DINOBASE_TOKEN, and a token too short to resist guessing.
 */
export function checkAccess(options: {
  hostname: string;
  token?: string;
  readToken?: string;
  publicOrigin?: string;
}): void {
  const { hostname, token, readToken, publicOrigin } = options;
  if (!isLoopbackBind(hostname) && !token) {
    throw new UnsafeConfigError(
      `Refusing to listen on ${hostname} without DINOBASE_TOKEN: anyone who reaches this port could use the stored API keys. ` +
        `Set DINOBASE_TOKEN (e.g. \`openssl rand -hex 32\`) or bind to 127.0.0.1.`,
    );
  }
  const publicHost = publicOrigin ? new URL(publicOrigin).hostname : null;
  if (publicHost && !isLoopbackHost(unbracket(publicHost)) && !token) {
    throw new UnsafeConfigError(
      `Refusing to serve ${publicOrigin} without DINOBASE_TOKEN: a public URL makes the stored API keys reachable. Set DINOBASE_TOKEN.`,
    );
  }
  if (token && token.length < MIN_TOKEN_LENGTH) {
    throw new UnsafeConfigError(`DINOBASE_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters long.`);
  }
  if (readToken !== undefined) {
    // Without DINOBASE_TOKEN every route is open, so a read-only role would promise what it cannot hold.
    if (!token)
      throw new UnsafeConfigError(
        'DINOBASE_READ_TOKEN is a role under DINOBASE_TOKEN: set DINOBASE_TOKEN too.',
      );
    if (readToken.length < MIN_TOKEN_LENGTH)
      throw new UnsafeConfigError(
        `DINOBASE_READ_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters long.`,
      );
    if (readToken === token)
      throw new UnsafeConfigError(
        'DINOBASE_READ_TOKEN must differ from DINOBASE_TOKEN, or the read-only role has every right.',
      );
  }
}

/** An on/off variable; unset or empty means "the default". */
function flag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return !['0', 'false', 'off', 'no'].includes(value.toLowerCase());
}

function integer(env: Record<string, string | undefined>, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new ConfigError(`${name} must be a whole number, got "${value.slice(0, 40)}".`);
  }
  return number;
}

/** Reads and checks every setting; throws ConfigError or UnsafeConfigError naming the bad one. */
export function configFromEnv(env: Record<string, string | undefined>): EnvConfig {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535, got "${env.PORT}".`);
  }
  const hostname = env.HOST || '127.0.0.1';
  const publicUrl = env.DINOBASE_PUBLIC_URL || undefined;
  if (publicUrl !== undefined && !URL.canParse(publicUrl)) {
    throw new ConfigError(
      `DINOBASE_PUBLIC_URL must be the URL users open, e.g. https://dinobase.example.com, got "${publicUrl.slice(0, 100)}".`,
    );
  }
  const config: EnvConfig = {
    port,
    hostname,
    // On a public bind the sandboxes are off unless asked for: their write endpoints are open to anyone.
    sandbox: flag(env.DINOBASE_SANDBOX) ?? isLoopbackBind(hostname),
    token: env.DINOBASE_TOKEN || undefined,
    readToken: env.DINOBASE_READ_TOKEN || undefined,
    publicOrigin: publicUrl === undefined ? undefined : new URL(publicUrl).origin,
    extraOrigins: env.DINOBASE_ALLOWED_ORIGINS?.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    trustedProxies: integer(env, 'DINOBASE_TRUSTED_PROXIES'),
    relay: {
      timeoutMs: integer(env, 'DINOBASE_RELAY_TIMEOUT_MS'),
      maxBodyBytes: integer(env, 'DINOBASE_RELAY_MAX_BODY_BYTES'),
    },
  };
  checkAccess(config);
  return config;
}

/** Where this machine reaches a server bound to `hostname`: a wildcard bind answers on loopback. */
export function localUrl(hostname: string, port: number): string {
  const host = unbracket(hostname);
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The address to tell users to open: the public URL when there is one, else one a browser can reach (never
 * `0.0.0.0`), with a note when every interface listens.
 */
export function displayUrl(options: { hostname: string; port: number; publicOrigin?: string }): {
  url: string;
  note?: string;
} {
  const host = unbracket(options.hostname);
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const url = options.publicOrigin ?? localUrl(options.hostname, options.port);
  if (!wildcard) return { url };
  return { url, note: `listening on all interfaces, ${host === '::' ? '[::]' : host}:${options.port}` };
}
