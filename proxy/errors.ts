// The proxy's one error class: an HTTP status, a stable code, and a message that never holds a secret.
export class ProxyError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 416 | 421 | 429 | 500 | 502 | 504;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(
    status: ProxyError['status'],
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ProxyError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Replaces every known secret in `text` with ***; used on anything that may reach a log or a response. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

/** True when `text` holds a C0 control character or DEL (header and path injection). */
export function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
