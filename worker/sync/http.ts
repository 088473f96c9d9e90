// HTTP for syncs: retries 429/5xx/network failures with Retry-After or backoff, and turns failures into clear SyncErrors.
import type { Clock } from '../clock.ts';
import type { PageRequest } from '../connectors/request.ts';
import { SyncError, errorMessage } from '../errors.ts';

export interface HttpOptions {
  fetch: typeof fetch;
  clock: Clock;
  signal?: AbortSignal;
  /** Attempts per request, including the first. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Query parameters whose values are secrets, masked in error messages. */
  secretParams?: string[];
  onRetry?: (info: { url: string; status: number | null; attempt: number; delayMs: number }) => void;
  /**
   * false: only 429 is retried. A 5xx or a network failure may mean the request already ran, so a request that
   * is not safe to repeat (a create without an idempotency key) must not be sent again. Default true.
   */
  repeatable?: boolean;
  /** Return non-2xx answers (with their parsed body) instead of throwing; the write-back reads them per row. */
  acceptErrors?: boolean;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Where a request came from, for error messages: `stripe.customers`. */
export interface RequestOrigin {
  source: string;
  resource: string;
  page: number;
}

export function safeUrl(url: URL, secretParams: string[] = []): string {
  const copy = new URL(url);
  for (const name of secretParams) if (copy.searchParams.has(name)) copy.searchParams.set(name, '***');
  copy.username = '';
  copy.password = '';
  return copy.toString();
}

/** The vendor's own error text, from the body shapes Stripe, HubSpot, GitHub and GraphQL APIs use. */
export function vendorMessage(body: unknown): string | null {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 300) : null;
  const b = body as Record<string, unknown>;
  const nested = b.error as Record<string, unknown> | string | undefined;
  if (typeof nested === 'string') return nested;
  if (nested && typeof nested.message === 'string') return nested.message;
  if (Array.isArray(b.errors)) {
    const messages = b.errors
      .map((e) => (e as { message?: unknown }).message)
      .filter((m) => typeof m === 'string');
    if (messages.length > 0) return messages.join('; ');
  }
  if (typeof b.message === 'string') return b.message;
  return null;
}

/** Retry-After is seconds or an HTTP date; returns milliseconds, or null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function statusHint(status: number): string {
  if (status === 401) return ' Check the credentials.';
  if (status === 403) return ' The credentials lack permission for this resource.';
  if (status === 404) return ' The path does not exist (check base_url).';
  return '';
}

export async function send(
  request: PageRequest,
  origin: RequestOrigin,
  options: HttpOptions,
): Promise<HttpResult> {
  const { clock, signal } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const where = `${origin.source}.${origin.resource}`;
  const shown = `${request.method} ${safeUrl(request.url, options.secretParams)}`;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw signal.reason;
    let response: Response;
    try {
      const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
      let body: string | undefined;
      if (request.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(request.json);
      } else if (request.form !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(request.form).toString();
      }
      response = await options.fetch(request.url, { method: request.method, headers, body, signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (attempt >= maxAttempts || options.repeatable === false) {
        throw new SyncError(
          'network_error',
          `${where}: network error on ${shown} after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${errorMessage(error)}`,
          {
            cause: error,
          },
        );
      }
      await pause(null, attempt, options, shown, null);
      continue;
    }
    const text = await response.text();
    if (response.status === 429 || (response.status >= 500 && options.repeatable !== false)) {
      if (attempt < maxAttempts) {
        await pause(
          retryAfterMs(response.headers.get('retry-after'), clock.now()),
          attempt,
          options,
          shown,
          response.status,
        );
        continue;
      }
    }
    let body: unknown;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch (error) {
      if (response.ok && !options.acceptErrors) {
        throw new SyncError(
          'bad_response',
          `${where}: malformed JSON in page ${origin.page} from ${shown} (HTTP ${response.status}): ${errorMessage(error)}`,
          { cause: error },
        );
      }
      body = text;
    }
    if (!response.ok && !options.acceptErrors) {
      const detail = vendorMessage(body) ?? response.statusText;
      throw new SyncError(
        'http_error',
        `${where}: HTTP ${response.status} from ${shown}${attempt > 1 ? ` after ${attempt} attempts` : ''}: ${detail}.${statusHint(response.status)}`,
      );
    }
    return { status: response.status, headers: response.headers, body };
  }
}

async function pause(
  suggested: number | null,
  attempt: number,
  options: HttpOptions,
  url: string,
  status: number | null,
): Promise<void> {
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 60_000;
  const backoff = base * 2 ** (attempt - 1) * (1 + Math.random() * 0.25);
  const delayMs = Math.min(cap, suggested ?? backoff);
  options.onRetry?.({ url, status, attempt, delayMs });
  await options.clock.sleep(delayMs, options.signal);
}
