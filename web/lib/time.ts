// Human forms of times, durations and sizes for the sources, history and storage screens.
import { humanDuration } from '../../common/duration.ts';

/** A sync's duration: "850 ms", "4.2 s", "3m 10s". */
export function elapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** "in 4s" / "due now" / "5m ago" relative to `now`. */
export function relative(iso: string, now: number): string {
  const delta = Date.parse(iso) - now;
  if (delta > 0) return `in ${humanDuration((delta + 999) / 1000)}`;
  return delta > -1000 ? 'now' : `${humanDuration(-delta / 1000)} ago`;
}

/** Local wall-clock time, with the date when it is not today. */
export function clockTime(iso: string, now = Date.now()): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return date.toDateString() === new Date(now).toDateString()
    ? time
    : `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** "512 bytes", "1.5 MiB". */
export function bytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n.toLocaleString()} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}
