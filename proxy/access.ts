// Access control: Host and Origin checks (DNS rebinding, CORS, CSRF), the DINOBASE_TOKEN login and its rate limit.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { ProxyError } from './errors.ts';
import { LoginLimiter } from './login-limit.ts';
import { loginPage } from './login-page.ts';

export interface AccessOptions {
  /** DINOBASE_TOKEN; when set every /api call needs it (bearer header or login cookie). */
  token?: string;
  /**
   * DINOBASE_READ_TOKEN: a read-only role, accepted only for GET /api/datasets* (team data) and the open
   * paths (health, login, session); never for the relay, sources, MCP or agent routes.
   */
  readToken?: string;
  /** Bound to 127.0.0.1/::1/localhost: Host headers must name loopback, which defeats DNS rebinding. */
  loopback: boolean;
  /** The app's public origin behind a reverse proxy (DINOBASE_PUBLIC_URL), e.g. https://dinobase.example.com. */
  publicOrigin?: string;
  /** More origins allowed to call the API with CORS (DINOBASE_ALLOWED_ORIGINS), e.g. a Vite dev server. */
  extraOrigins?: string[];
  /** The peer address, for the login rate limit; supplied by the runtime adapter. */
  clientAddress: (c: Context) => string;
  /** Sandboxes are public fakes: reachable without login. */
  publicPrefixes?: string[];
  now?: () => number;
  maxLoginFailures?: number;
  loginWindowMs?: number;
  /** Whether GET /api/agent/channel is mounted (see mountMcp); told to the tab by /api/session. */
  agentChannel?: boolean;
}

const COOKIE = 'dinobase_session';
const SESSION_SECONDS = 7 * 24 * 3600;
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];
const UNSAFE = ['POST', 'PUT', 'PATCH', 'DELETE'];
/**
 * The address login attempts are counted against: the TCP peer, or, behind `trustedProxies` reverse proxies
 * (DINOBASE_TRUSTED_PROXIES), the X-Forwarded-For entry the outermost of them appended. Entries further left
 * come from the client itself and are never trusted.
 */
export function clientAddressOf(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trustedProxies = 0,
): string {
  if (trustedProxies > 0 && forwardedFor) {
    const hops = forwardedFor
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const client = hops[hops.length - trustedProxies];
    if (client) return client;
  }
  return peer ?? 'unknown';
}

/** What a caller may do: everything (DINOBASE_TOKEN), or only read published datasets (DINOBASE_READ_TOKEN). */
export type Role = 'full' | 'read';

/** The only routes the read-only role reaches: published datasets, read. */
const readOnlyAllowed = (c: Context, pathname: string) =>
  (c.req.method === 'GET' || c.req.method === 'HEAD') &&
  (pathname === '/api/datasets' || pathname.startsWith('/api/datasets/'));

/** Paths anyone may fetch, logged in or not: nothing secret lives there. */
const OPEN_PATHS = ['/api/health', '/api/login', '/api/logout', '/api/session', '/login'];
const OPEN_PREFIXES = ['/assets/'];
/** A login body only carries the token: anything bigger is refused before it is read (the route is public). */
const MAX_LOGIN_BODY = 8 * 1024;

/**
 * The Origin a request carries. A form posted from a `Referrer-Policy: no-referrer` page (ours, /login
 * included) says `Origin: null`; Sec-Fetch-Site, which no page can set, tells whether that page was this
 * origin's own. A null from anywhere else (another site, a sandboxed frame, a cross-site redirect) stays null.
 */
function requestOrigin(c: Context, self: string): string | undefined {
  const origin = c.req.header('origin');
  return origin === 'null' && c.req.header('sec-fetch-site') === 'same-origin' ? self : origin;
}

/** A browser's form post (the /login page, Settings' Log out) rather than a script's JSON call. */
const isForm = (c: Context) =>
  (c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded');

export function isLoopbackHost(hostname: string): boolean {
  return /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '::1' || hostname === 'localhost';
}

const encoder = new TextEncoder();
const COMPARE_KEY = crypto.subtle.importKey(
  'raw',
  encoder.encode('dinobase-compare'),
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['sign'],
);

/** Compares digests rather than the strings, so timing says nothing about how much of a guess was right. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const key = await COMPARE_KEY;
  const [x, y] = await Promise.all(
    [a, b].map(async (text) => new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)))),
  );
  let diff = 0;
  for (let i = 0; i < x!.length; i++) diff |= x![i]! ^ y![i]!;
  return diff === 0;
}

export function createAccess(options: AccessOptions) {
  const now = options.now ?? Date.now;
  const limits = new LoginLimiter({
    now,
    maxFailures: options.maxLoginFailures ?? 5,
    windowMs: options.loginWindowMs ?? 15 * 60_000,
  });
  const publicPrefixes = [...OPEN_PREFIXES, ...(options.publicPrefixes ?? [])];
  // Behind a reverse proxy the browser's Host is the public name; DNS rebinding cannot forge that one.
  const answeredHosts = [
    ...LOOPBACK_HOSTS,
    ...(options.publicOrigin ? [new URL(options.publicOrigin).hostname.toLowerCase()] : []),
  ];

  /** The origin the browser sees for this app: the configured public one, or this request's own. */
  const selfOrigin = (c: Context) => options.publicOrigin ?? new URL(c.req.url).origin;
  const allowedOrigins = (c: Context) => [
    selfOrigin(c),
    new URL(c.req.url).origin,
    ...(options.extraOrigins ?? []),
  ];

  /** The caller's role, or null when it proved none. Without DINOBASE_TOKEN everyone has every right. */
  async function roleOf(c: Context): Promise<Role | null> {
    if (!options.token) return 'full';
    const header = c.req.header('authorization');
    if (header?.startsWith('Bearer ')) {
      const given = header.slice(7).trim();
      if (await sameSecret(given, options.token)) return 'full';
      if (options.readToken && (await sameSecret(given, options.readToken))) return 'read';
      return null;
    }
    // The cookie holds its expiry (Unix seconds) signed with the token, `r` before it for the read-only
    // role: changing the token ends every session, and the role cannot be edited without the signature.
    const value = await getSignedCookie(c, options.token, COOKIE);
    if (typeof value !== 'string') return null;
    const read = value.startsWith('r');
    const expires = Number(read ? value.slice(1) : value);
    if (!Number.isInteger(expires) || expires * 1000 < now()) return null;
    return read ? 'read' : 'full';
  }

  async function authenticated(c: Context): Promise<boolean> {
    return (await roleOf(c)) !== null;
  }

  const guard: MiddlewareHandler = async (c, next) => {
    const url = new URL(c.req.url);
    if (options.loopback && !answeredHosts.includes(url.hostname.toLowerCase())) {
      throw new ProxyError(
        421,
        'bad_host',
        `Host '${url.host.slice(0, 100)}' is not this server; on a loopback bind only 127.0.0.1, localhost, [::1] and DINOBASE_PUBLIC_URL's host are answered (DNS rebinding guard).`,
      );
    }
    // /mcp is an API too: its callers are programs, so it answers 401 rather than redirecting to /login.
    const api = url.pathname.startsWith('/api/') || url.pathname === '/mcp';
    const origin = requestOrigin(c, selfOrigin(c));
    const crossOrigin = origin !== undefined && origin !== selfOrigin(c) && origin !== url.origin;
    if (api && origin !== undefined && !allowedOrigins(c).includes(origin)) {
      throw new ProxyError(
        403,
        'forbidden_origin',
        `Cross-origin request from ${origin.slice(0, 100)} refused: only this app's own origin may call the API.`,
      );
    }
    if (api && crossOrigin) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Allow-Credentials', 'true');
      c.header('Vary', 'Origin');
      if (c.req.method === 'OPTIONS') {
        c.header('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
        c.header(
          'Access-Control-Allow-Headers',
          'authorization, content-type, idempotency-key, mcp-session-id, mcp-protocol-version, last-event-id',
        );
        c.header('Access-Control-Expose-Headers', 'mcp-session-id');
        c.header('Access-Control-Max-Age', '600');
        return c.body(null, 204);
      }
    }
    if (api && UNSAFE.includes(c.req.method) && origin === undefined) {
      const site = c.req.header('sec-fetch-site');
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        throw new ProxyError(403, 'csrf', `A ${c.req.method} from a ${site} page was refused (CSRF guard).`);
      }
    }
    const open =
      OPEN_PATHS.includes(url.pathname) || publicPrefixes.some((prefix) => url.pathname.startsWith(prefix));
    const role = open ? 'full' : await roleOf(c);
    // The app's own pages and files are no secret: a read-only login must load the app to read team data in it.
    if (role === 'read' && api && !readOnlyAllowed(c, url.pathname)) {
      throw new ProxyError(
        403,
        'read_only',
        'This login is read-only (DINOBASE_READ_TOKEN): it may only read published datasets at /api/datasets.',
      );
    }
    if (role === null) {
      if (api) {
        throw new ProxyError(
          401,
          'unauthenticated',
          'Log in first: send the DINOBASE_TOKEN as a bearer token or log in at /login.',
          {
            'WWW-Authenticate': 'Bearer realm="dinobase"',
          },
        );
      }
      return c.redirect('/login', 302);
    }
    await next();
  };

  function routes(app: Hono): void {
    const loginLimit = bodyLimit({
      maxSize: MAX_LOGIN_BODY,
      onError: () => {
        throw new ProxyError(413, 'body_too_large', `Login bodies are limited to ${MAX_LOGIN_BODY} bytes.`);
      },
    });
    app.post('/api/login', loginLimit, async (c) => {
      const address = options.clientAddress(c);
      const wait = limits.wait(address);
      if (wait !== null) {
        throw new ProxyError(429, 'too_many_attempts', `Too many failed logins; try again in ${wait} s.`, {
          'Retry-After': String(wait),
        });
      }
      const form = isForm(c);
      const given = form
        ? String((await c.req.parseBody()).token ?? '')
        : String(((await c.req.json().catch(() => ({}))) as { token?: unknown }).token ?? '');
      if (!options.token) return c.json({ ok: true, login_required: false });
      const full = given !== '' && (await sameSecret(given, options.token));
      const read =
        !full &&
        given !== '' &&
        options.readToken !== undefined &&
        (await sameSecret(given, options.readToken));
      if (!full && !read) {
        limits.failed(address);
        if (form) return c.redirect('/login?failed=1', 303);
        throw new ProxyError(401, 'bad_token', 'Wrong token.');
      }
      limits.succeeded(address);
      const expires = Math.floor(now() / 1000) + SESSION_SECONDS;
      await setSignedCookie(c, COOKIE, `${read ? 'r' : ''}${expires}`, options.token, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: selfOrigin(c).startsWith('https:'),
        path: '/',
        maxAge: SESSION_SECONDS,
      });
      return form
        ? c.redirect('/', 303)
        : c.json({ ok: true, login_required: true, role: read ? 'read' : 'full' });
    });
    app.post('/api/logout', (c) => {
      deleteCookie(c, COOKIE, { path: '/' });
      return isForm(c) ? c.redirect('/login', 303) : c.json({ ok: true });
    });
    app.get('/api/session', async (c) => {
      const role = await roleOf(c);
      // `role` only for a login that has one, so the answer to a stranger stays what it was. A read-only login
      // is refused the channel, so for it there is none.
      return c.json({
        login_required: options.token !== undefined,
        authenticated: role !== null,
        ...(role ? { role, agent_channel: role === 'full' && (options.agentChannel ?? false) } : {}),
      });
    });
    app.get('/login', (c) => {
      c.header(
        'Content-Security-Policy',
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      );
      return c.html(loginPage(c.req.query('failed') !== undefined));
    });
  }

  return { guard, routes, authenticated, roleOf };
}
