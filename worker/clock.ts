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
