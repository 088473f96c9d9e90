// Shared sandbox plumbing: request log, injected faults and 429 bursts, and the per-credential sliding-window limiter.
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

export interface Fault {
  /** Tested against the path relative to the vendor mount, e.g. '/v1/customers'; absent = every request. */
  match?: RegExp;
  /** Default 200. */
  status?: number;
  body: string;
  /** Default application/json. */
  contentType?: string;
  headers?: Record<string, string>;
  /** How many matching requests get this response; default 1. */
  count?: number;
  /** Let this many matching requests through first (to fail mid-sync, e.g. page 2). */
  afterMatches?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Unix milliseconds from the sandbox clock. */
  at: number;
  status: number;
}

export interface SandboxControl {
  /** Next `count` (default 1) requests whose path matches get this response instead. */
  failNext(fault: Fault): void;
  /** Next `count` requests get the vendor's real 429 body with `Retry-After: <retryAfterSeconds>`. */
  rateLimitBurst(count: number, retryAfterSeconds?: number): void;
  /** Every request, in order; never includes header values. */
  readonly requests: readonly RequestRecord[];
  clearRequests(): void;
}

export interface RateLimit {
  requests: number;
  perSeconds: number;
}

export interface Admission {
  allowed: boolean;
  limit: number;
  remaining: number;
  used: number;
  /** Unix ms at which the oldest counted request leaves the window. */
  resetAt: number;
  /** Whole seconds (>= 1) to wait when not allowed. */
  retryAfter: number;
}

/** Builds the vendor's own 429 response. */
export type RateLimitedResponse = (c: Context, retryAfterSeconds: number) => Response;

interface ArmedFault {
  match: RegExp | undefined;
  status: number;
  body: string;
  headers: Record<string, string>;
  remaining: number;
  skip: number;
}

export class Control implements SandboxControl {
  readonly requests: RequestRecord[] = [];
  #faults: ArmedFault[] = [];
  #burst = { remaining: 0, retryAfter: 1 };
  #windows = new Map<string, number[]>();

  constructor(
    readonly now: () => number,
    readonly rateLimit: RateLimit,
  ) {
    if (!(rateLimit.requests >= 1 && rateLimit.perSeconds > 0)) {
      throw new RangeError('rateLimit needs requests >= 1 and perSeconds > 0');
    }
  }

  failNext(fault: Fault): void {
    this.#faults.push({
      match: fault.match,
      status: fault.status ?? 200,
      body: fault.body,
      headers: { 'content-type': fault.contentType ?? 'application/json', ...fault.headers },
      remaining: fault.count ?? 1,
      skip: fault.afterMatches ?? 0,
    });
  }

  rateLimitBurst(count: number, retryAfterSeconds = 1): void {
    this.#burst = { remaining: count, retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)) };
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Counts one request for `credential` unless its window is full. */
  admit(credential: string): Admission {
    const state = this.peek(credential);
    if (state.allowed) {
      this.#stamps(credential).push(this.now());
      return { ...this.peek(credential), allowed: true };
    }
    return state;
  }

  /** The window's state without counting a request (for headers on responses that are not counted). */
  peek(credential: string): Admission {
    const now = this.now();
    const windowMs = this.rateLimit.perSeconds * 1000;
    const stamps = this.#stamps(credential);
    let expired = 0;
    while (expired < stamps.length && (stamps[expired] as number) <= now - windowMs) expired++;
    if (expired > 0) stamps.splice(0, expired);
    const limit = this.rateLimit.requests;
    const used = stamps.length;
    const resetAt = (stamps[0] ?? now) + windowMs;
    return {
      allowed: used < limit,
      limit,
      remaining: Math.max(0, limit - used),
      used,
      resetAt,
      retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)),
    };
  }

  #stamps(credential: string): number[] {
    let stamps = this.#windows.get(credential);
    if (!stamps) this.#windows.set(credential, (stamps = []));
    return stamps;
  }

  /** Logs every request and answers injected faults and bursts before the vendor sees the request. */
  middleware(rateLimited: RateLimitedResponse): MiddlewareHandler {
    return async (c, next) => {
      const path = relativePath(c);
      const query: Record<string, string> = {};
      for (const [k, v] of new URL(c.req.url).searchParams) query[k] = v;
      const record: RequestRecord = { method: c.req.method, path, query, at: this.now(), status: 0 };
      this.requests.push(record);
      const injected = this.#inject(c, path, rateLimited);
      if (injected) {
        record.status = injected.status;
        return injected;
      }
      await next();
      record.status = c.res.status;
    };
  }

  #inject(c: Context, path: string, rateLimited: RateLimitedResponse): Response | null {
    for (const fault of this.#faults) {
      if (fault.match && !fault.match.test(path)) continue;
      if (fault.skip > 0) {
        fault.skip--;
        continue;
      }
      if (--fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
      return new Response(fault.status === 204 || fault.status === 304 ? null : fault.body, {
        status: fault.status,
        headers: fault.headers,
      });
    }
    if (this.#burst.remaining > 0) {
      this.#burst.remaining--;
      return rateLimited(c, this.#burst.retryAfter);
    }
    return null;
  }
}

/** The request path below the vendor mount, whatever prefix the sandbox app was mounted under. */
export function relativePath(c: Context): string {
  // Vendor apps register their middleware on '*', so its route path is '<mount prefix>/*'.
  const prefix = routePath(c).replace(/\/?\*$/, '');
  const rest = c.req.path.startsWith(prefix) ? c.req.path.slice(prefix.length) : c.req.path;
  return rest === '' ? '/' : rest;
}

/** Deterministic id material, so a seeded sandbox hands out the same ids run after run. */
export class IdSource {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    // mulberry32
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chars(n: number, alphabet = ALNUM): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  uuid(): string {
    const h = this.chars(32, '0123456789abcdef');
    const variant = '89ab'[Math.floor(this.next() * 4)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
  }
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The token in `Authorization: <scheme> <token>` for the given schemes (case-insensitive), or null. */
export function bearer(header: string | undefined, schemes: readonly string[] = ['bearer']): string | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  if (space < 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  const token = header.slice(space + 1).trim();
  return schemes.includes(scheme) && token !== '' ? token : null;
}

/** A JSON response with an exact body string, so replays and fault bodies stay byte-for-byte. */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** A vendor's control handle: the shared fault, rate-limit and request-log methods plus the vendor's extras. */
export function controlHandle<C extends SandboxControl>(
  control: Control,
  extras: Omit<C, keyof SandboxControl>,
): C {
  const shared: SandboxControl = {
    get requests() {
      return control.requests;
    },
    failNext: (fault) => control.failNext(fault),
    rateLimitBurst: (count, retryAfterSeconds) => control.rateLimitBurst(count, retryAfterSeconds),
    clearRequests: () => control.clearRequests(),
  };
  return Object.assign(shared, extras) as C;
}
