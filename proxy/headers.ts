// The headers every answer of the proxy carries: the middleware sets them, and the relay's pipe writes them itself.

/**
 * The app shell may run wasm and module workers, and talk only to this origin. Every script is served with
 * it too: a worker runs under its own script's policy (and a blob: worker under its creator's), not the
 * page's, so this is what keeps the engine's workers, DuckDB's HTTP file system included, on this origin.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** What an answer of `contentType` gets on top of its own headers (CSP only where it has none yet). */
export function securityHeaders(contentType: string, hasCsp: boolean): [string, string][] {
  const out: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
  ];
  if (/^text\/html|javascript/.test(contentType) && !hasCsp) out.push(['Content-Security-Policy', CSP]);
  return out;
}
