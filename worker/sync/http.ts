// HTTP for syncs: one attempt = request + body; retryable failures retried within a time budget; failures become clear SyncErrors.
import type { Clock } from '../clock.ts';
import type { PageRequest } from '../connectors/request.ts';
import { SyncError, errorMessage } from '../errors.ts';

/** How long retryable failures are retried: time-based, like dlt and Airbyte, rather than a count of attempts. */
export interface RetryTuning {
  /** Total backoff allowed per request before giving up. @default 60_000 */
  budgetMs?: number;
  /** First backoff; doubles per attempt, with up to 25% jitter. @default 500 */
  baseDelayMs?: number;
  /** Longest single backoff (a Retry-After is capped by the remaining budget instead). @default 30_000 */
  maxDelayMs?: number;
}

export interface HttpOptions extends RetryTuning {
  fetch: typeof fetch;
  clock: Clock;
  signal?: AbortSignal;
  /** Query parameters whose values are secrets, masked in error messages. */
  secretParams?: string[];
  onRetry?: (info: { url: string; status: number | null; attempt: number; delayMs: number }) => void;
  /** Called as each request goes out, so a timeout can say what it was waiting for. */
  onRequest?: (origin: RequestOrigin) => void;
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

/** Where a request came from, for error messages: `stripe.customers page 3`. */
export interface RequestOrigin {
  source: string;
  resource: string;
  /** The page of a sync's walk; absent for single requests (the write-back's). */
  page?: number;
}

export const DEFAULT_RETRY_BUDGET_MS = 60_000;

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

/** A failure worth another attempt, or the answer to return or report. */
type Attempt =
  | { kind: 'failed'; error: unknown; bodyOnly: boolean }
  | { kind: 'answered'; response: Response; text: string };

async function attemptOnce(request: PageRequest, options: HttpOptions): Promise<Attempt> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }
  let response: Response;
  try {
    response = await options.fetch(request.url, {
      method: request.method,
      headers,
      body,
      signal: options.signal,
      // A vendor's records are never read from the browser's HTTP cache, nor written to it (they belong in the
      // database only); skipping the cache also took Chromium 2–4 ms off each page (docs/ARCHITECTURE.md, P2).
      cache: 'no-store',
    });
  } catch (error) {
    return { kind: 'failed', error, bodyOnly: false };
  }
  // The body is part of the request: one that breaks off mid-way is a network failure like any other.
  try {
    return { kind: 'answered', response, text: await response.text() };
  } catch (error) {
    return { kind: 'failed', error, bodyOnly: true };
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function send(
  request: PageRequest,
  origin: RequestOrigin,
  options: HttpOptions,
): Promise<HttpResult> {
  const { clock, signal } = options;
  const budget = options.budgetMs ?? DEFAULT_RETRY_BUDGET_MS;
  const where = `${origin.source}.${origin.resource}:${origin.page === undefined ? '' : ` page ${origin.page}:`}`;
  const shown = `${request.method} ${safeUrl(request.url, options.secretParams)}`;
  const started = clock.now();
  let backoff = 0;
  /** Waits before the next attempt, or returns false when the budget is spent. */
  const waitBeforeRetry = async (attempt: number, suggested: number | null, status: number | null) => {
    const left = budget - backoff;
    if (left <= 0) return false;
    const base = options.baseDelayMs ?? 500;
    const exponential = Math.min(
      options.maxDelayMs ?? 30_000,
      base * 2 ** (attempt - 1) * (1 + Math.random() * 0.25),
    );
    // Retry-After: 0 on every answer must still spend the budget, or the retries would never end.
    const wanted = suggested === null ? exponential : Math.max(suggested, base);
    const delayMs = Math.max(1, Math.round(Math.min(left, wanted)));
    backoff += delayMs;
    options.onRetry?.({ url: shown, status, attempt, delayMs });
    await clock.sleep(delayMs, signal);
    return true;
  };
  const gaveUp = (attempt: number) =>
    `${where} gave up after ${plural(attempt, 'attempt')} over ${Math.round((clock.now() - started) / 1000)} s`;

  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw signal.reason;
    options.onRequest?.(origin);
    const outcome = await attemptOnce(request, options);
    if (signal?.aborted) throw signal.reason;
    if (outcome.kind === 'failed') {
      const failure = outcome.bodyOnly ? `body of ${shown} broke off` : `network error on ${shown}`;
      const cause = errorMessage(outcome.error);
      if (options.repeatable === false) {
        // Sent once and not repeated: the vendor may have acted on it.
        throw new SyncError(
          'network_error',
          `${where} ${failure} after ${plural(attempt, 'attempt')}: ${cause}`,
          { cause: outcome.error },
        );
      }
      if (await waitBeforeRetry(attempt, null, null)) continue;
      throw new SyncError('network_error', `${gaveUp(attempt)}: ${failure}: ${cause}`, {
        cause: outcome.error,
      });
    }
    const { response, text } = outcome;
    const retryable = response.status === 429 || (response.status >= 500 && options.repeatable !== false);
    if (retryable) {
      const suggested = retryAfterMs(response.headers.get('retry-after'), clock.now());
      if (await waitBeforeRetry(attempt, suggested, response.status)) continue;
    }
    let body: unknown;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch (error) {
      if (response.ok && !options.acceptErrors) {
        const page = origin.page === undefined ? '' : ` in page ${origin.page}`;
        throw new SyncError(
          'bad_response',
          `${origin.source}.${origin.resource}: malformed JSON${page} from ${shown} (HTTP ${response.status}): ${errorMessage(error)}`,
          { cause: error },
        );
      }
      body = text;
    }
    if (!response.ok && !options.acceptErrors) {
      const detail = vendorMessage(body) ?? response.statusText;
      const failure = `HTTP ${response.status} from ${shown}: ${detail}.${statusHint(response.status)}`;
      throw new SyncError('http_error', retryable ? `${gaveUp(attempt)}: ${failure}` : `${where} ${failure}`);
    }
    return { status: response.status, headers: response.headers, body };
  }
}
