// Durations as settings take them ("15m") and as ages are shown ("2h 15m"); the engine and the UI share these.

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

/** Parses "30s", "15m", "1h", "1d" or bare seconds into seconds; null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!match) return null;
  return Number(match[1]) * (UNITS[(match[2] || 's').toLowerCase()] ?? 1);
}

/** Why `text` is not a positive duration, naming the setting (`what`, e.g. "sync interval"); null when it is one. */
export function durationProblem(what: string, text: string): string | null {
  const seconds = parseDuration(text);
  if (seconds === null) {
    return `Invalid ${what} '${text}': expected a number followed by s, m, h or d (e.g. '30s', '15m', '1h', '1d').`;
  }
  if (seconds <= 0) return `${what[0]!.toUpperCase()}${what.slice(1)} must be positive, got: '${text}'`;
  return null;
}
