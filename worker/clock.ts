// Time as an injected dependency, so engines and the scheduler run in tests without sleeping.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, the literal form DuckDB TIMESTAMP columns take. */
export function toSqlTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Parses DuckDB TIMESTAMP text (always UTC here) back to epoch milliseconds. */
export function fromSqlTimestamp(text: string): number {
  const [date, time = '00:00:00'] = text.replace(/\+00$/, '').split(' ');
  const [hms, fraction = '0'] = time.split('.');
  return Date.parse(`${date}T${hms}Z`) + Math.floor(Number(`0.${fraction}`) * 1000);
}

/** "45s", "5m", "1h", "1h 30m", "2d 3h", as the original prints ages. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m ? `${h}h ${m}m` : `${h}h`;
  }
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  return h ? `${d}d ${h}h` : `${d}d`;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses "30s", "15m", "1h", "1d" or bare seconds into seconds. Returns null for anything else so the
 * caller can say which setting was wrong.
 */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!match) return null;
  return Number(match[1]) * (UNITS[(match[2] || 's').toLowerCase()] ?? 1);
}
