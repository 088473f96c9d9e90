// Shared state of the security suite: the proxies under probe, the stand-in vendor, the canary and the secrets.
import { expect } from 'vitest';
import type { RunningServer } from '../../proxy/server.ts';
import { SANDBOX_CREDENTIALS } from '../../proxy/sandbox/index.ts';
import {
  errorCode,
  INDEX_HTML,
  rawRequest,
  type RawRequest,
  type RawResponse,
  type Upstream,
} from '../probe-kit.ts';

export const FAKE_KEY = 'sk_test_secret_value_123';
export const TOKEN = 'probe-token-0123456789abcdef';
/** Written next to the served directory: a traversal that reaches it leaks this marker. */
export const PACKAGE_MARKER = '"name": "dinobase-browser"';
export const DOTENV_MARKER = 'DOTENV_SECRET=leaked';
export const EXTRA_ORIGIN = 'http://localhost:5173';
export const EVIL = 'https://evil.example';

/** Every value no response may contain. */
export const SECRETS = [
  FAKE_KEY,
  TOKEN,
  SANDBOX_CREDENTIALS.stripe.api_key,
  SANDBOX_CREDENTIALS.hubspot.access_token,
  SANDBOX_CREDENTIALS.github.access_token,
  SANDBOX_CREDENTIALS.linear.api_key,
];

export interface Ctx {
  /** Loopback bind, no token, sandboxes on, extra origin allowed; source `fake` points at `upstream`. */
  local: RunningServer;
  /** 0.0.0.0 bind with TOKEN, sandboxes off; source `fake` too. */
  guarded: RunningServer;
  /** Like `guarded`, kept apart for the login rate limit. */
  limited: RunningServer;
  upstream: Upstream;
  canary: Upstream;
  /** Temp root holding dist/, home/, package.json and .env. */
  root: string;
}

export type Probe = (name: string, run: () => Promise<void>) => void;

const portOf = (server: RunningServer) => Number(new URL(server.url).port);

/** A raw request to one of the proxies. */
export function hit(server: RunningServer, options: Omit<RawRequest, 'port'>): Promise<RawResponse> {
  return rawRequest({ ...options, port: portOf(server) });
}

/** Asserts a JSON refusal: the status, the `{error, code}` body, and no secret in it. */
export function refused(res: RawResponse, status: number, code: string): void {
  expect([res.status, errorCode(res)], res.text.slice(0, 300)).toEqual([status, code]);
  noSecrets(res);
}

export function noSecrets(res: RawResponse): void {
  const everything = JSON.stringify(res.headers) + res.text;
  for (const secret of SECRETS) expect(everything).not.toContain(secret);
}

/** A static-file probe may only ever answer with the SPA's index.html, never another file. */
export function onlyIndex(res: RawResponse): void {
  expect(res.status).toBe(200);
  expect(res.text).toBe(INDEX_HTML);
}

export function noFileLeak(res: RawResponse): void {
  for (const marker of [PACKAGE_MARKER, DOTENV_MARKER, 'root:x:0:0', '"sources"']) {
    expect(res.text).not.toContain(marker);
  }
  noSecrets(res);
}
