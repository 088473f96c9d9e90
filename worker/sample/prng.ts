// Seeded PRNG (mulberry32) plus the random and time-format helpers every sample generator shares.

export type Weighted<T> = readonly (readonly [T, number])[];

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';
const DIGITS = '0123456789';
const FLAT_MAX = 32;

type Tuple<T, N extends number, A extends T[] = []> = A['length'] extends N ? A : Tuple<T, N, [...A, T]>;

export const DAY = 86_400;
export const HOUR = 3_600;

// FNV-1a, so that each vendor gets its own stream and resizing one source never reshuffles another.
function hashLabel(label: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class Rng {
  private state: number;
  private readonly seed: number;
  /** Scratch buffer for building flat strings (see `chars`). */
  private readonly buf = new Array<number>(FLAT_MAX).fill(48) as Tuple<number, typeof FLAT_MAX>;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.state = this.seed;
  }

  /** Independent child stream, stable for a given (seed, label). */
  fork(label: string): Rng {
    return new Rng(hashLabel(label, this.seed));
  }

  /** Next uint32. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4_294_967_296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  weighted<T>(items: Weighted<T>): T {
    // Index loops, not destructuring iterators: this runs a few million times for a 100k-customer dataset.
    const n = items.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += (items[i] as readonly [T, number])[1];
    let r = this.float() * total;
    for (let i = 0; i < n; i++) {
      const item = items[i] as readonly [T, number];
      r -= item[1];
      if (r < 0) return item[0];
    }
    const last = items[n - 1];
    if (!last) throw new RangeError('weighted() from an empty list');
    return last[0];
  }

  /** Distinct sample of k items (k clamped to the list size), order randomised. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.float() * (copy.length - i));
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy.slice(0, n);
  }

  /**
   * Random string over `alphabet`, optionally framed by fixed text (`head` + random + `middle` + random tail).
   * Ids are minted by the million, so this avoids `+=` (a rope node per character) and `apply` (slow): it fills a
   * fixed buffer and makes one flat string with a fixed-arity `fromCharCode`.
   */
  chars(alphabet: string, length: number, head = '', middle = '', tailLength = 0): string {
    const total = head.length + length + middle.length + tailLength;
    if (total > FLAT_MAX) {
      const tail = tailLength > 0 || middle !== '' ? middle + this.chars(alphabet, tailLength) : '';
      let body = '';
      for (let left = length; left > 0; left -= FLAT_MAX)
        body += this.chars(alphabet, Math.min(left, FLAT_MAX));
      return head + body + tail;
    }
    const buf = this.buf;
    let n = 0;
    for (let i = 0; i < head.length; i++) buf[n++] = head.charCodeAt(i);
    n = this.fill(alphabet, n, length);
    for (let i = 0; i < middle.length; i++) buf[n++] = middle.charCodeAt(i);
    n = this.fill(alphabet, n, tailLength);
    const b = buf;
    // prettier-ignore
    const flat = String.fromCharCode(
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15],
      b[16], b[17], b[18], b[19], b[20], b[21], b[22], b[23], b[24], b[25], b[26], b[27], b[28], b[29], b[30], b[31],
    );
    return n === FLAT_MAX ? flat : flat.slice(0, n);
  }

  /** Writes `count` random alphabet codes at `at`; three near-uniform picks per draw (10 bits, multiply-shift). */
  private fill(alphabet: string, at: number, count: number): number {
    const buf = this.buf;
    const base = alphabet.length;
    let n = at;
    let left = count;
    while (left > 0) {
      const x = this.next();
      buf[n++] = alphabet.charCodeAt(((x & 1023) * base) >>> 10);
      if (left > 1) buf[n++] = alphabet.charCodeAt((((x >>> 10) & 1023) * base) >>> 10);
      if (left > 2) buf[n++] = alphabet.charCodeAt((((x >>> 20) & 1023) * base) >>> 10);
      left -= 3;
    }
    return n;
  }

  alnum(length: number, head = '', middle = '', tailLength = 0): string {
    return this.chars(ALNUM, length, head, middle, tailLength);
  }

  hex(length: number): string {
    return this.chars(HEX, length);
  }

  digits(length: number, head = ''): string {
    return this.chars(DIGITS, length, head);
  }

  /** RFC 4122 version-4 formatted UUID drawn from this stream. */
  uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + (this.next() & 3)] ?? '8';
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** Timestamp in [from, to) biased towards `to` — SaaS datasets grow, so recent rows dominate. */
  recentBetween(from: number, to: number, bias = 2): number {
    const span = Math.max(1, to - from);
    return Math.max(from, Math.floor(to - span * (1 - Math.pow(this.float(), 1 / bias))) - 1);
  }

  between(from: number, to: number): number {
    return from + Math.floor(this.float() * Math.max(1, to - from));
  }
}

/** ISO-8601 with milliseconds (HubSpot, Linear). */
/** Deep-freezes constant sub-objects that many records share, so an accidental in-place edit throws instead of
 * silently changing every record; sharing is what keeps a 100k-customer dataset small enough to build quickly. */
export function frozen<T extends object>(value: T): T {
  for (const v of Object.values(value))
    if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) frozen(v);
  return Object.freeze(value);
}

/** Shared frozen empty list for array fields that are always empty in the sample (tax rates, discounts...). */
export const EMPTY_LIST = Object.freeze([]) as unknown as never[];

export function isoMs(unixMs: number): string {
  return new Date(unixMs).toISOString();
}

/** ISO-8601 without milliseconds (GitHub). */
export function isoSec(unixSec: number): string {
  return new Date(unixSec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Calendar date 'YYYY-MM-DD'. */
export function isoDate(unixSec: number): string {
  return new Date(unixSec * 1000).toISOString().slice(0, 10);
}

// Proleptic-Gregorian day arithmetic (Howard Hinnant's algorithms): integer-only, so rolling tens of thousands of
// billing periods allocates no Date objects.
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Adds calendar months the way Stripe rolls billing periods (clamping to the month's last day). */
export function addMonths(unixSec: number, months: number): number {
  const days = Math.floor(unixSec / DAY);
  const [y, m, d] = civilFromDays(days);
  const m0 = m - 1 + months;
  const ty = y + Math.floor(m0 / 12);
  const tm = m0 - Math.floor(m0 / 12) * 12 + 1;
  const monthLength =
    daysFromCivil(tm === 12 ? ty + 1 : ty, tm === 12 ? 1 : tm + 1, 1) - daysFromCivil(ty, tm, 1);
  return daysFromCivil(ty, tm, Math.min(d, monthLength)) * DAY + (unixSec - days * DAY);
}

/** Sorts records by `created` ascending, stable, via a native numeric sort of packed (created, index) keys. */
export function sortByCreated<T extends { created: number }>(items: T[]): T[] {
  const n = items.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const created = (items[i] as T).created;
    // Keys must stay exact doubles (< 2^53); anything outside that falls back to a comparator sort.
    if (n >= 2 ** 21 || !(created >= 0 && created < 2 ** 32))
      return items.sort((a, b) => a.created - b.created);
    keys[i] = created * 2 ** 21 + i;
  }
  keys.sort();
  const copy = items.slice();
  for (let i = 0; i < n; i++) items[i] = copy[(keys[i] as number) % 2 ** 21] as T;
  return items;
}

export function slugify(text: string, max = 60): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}
