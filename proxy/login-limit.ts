// Failed logins per client address: a lockout after too many within a window, in a table that forgets and stays bounded.

export interface LoginLimitOptions {
  now: () => number;
  /** Failures within the window that lock an address out. */
  maxFailures: number;
  windowMs: number;
  /**
   * Addresses on record at most; past it the oldest go first. Whoever commands that many addresses gets around
   * a per-address limit anyway, and the table must not grow with them.
   * @default 10000
   */
  maxTracked?: number;
}

export class LoginLimiter {
  // Entries are only ever added at the end with a fresh `since`, so the map is ordered oldest first.
  #failures = new Map<string, { count: number; since: number }>();
  #options: LoginLimitOptions;
  #maxTracked: number;

  constructor(options: LoginLimitOptions) {
    this.#options = options;
    this.#maxTracked = options.maxTracked ?? 10_000;
  }

  /** Addresses with failures on record. */
  get size(): number {
    return this.#failures.size;
  }

  /** Seconds until `address` may try again, or null when it may try now. */
  wait(address: string): number | null {
    this.#prune();
    const entry = this.#failures.get(address);
    if (!entry) return null;
    const left = entry.since + this.#options.windowMs - this.#options.now();
    return entry.count >= this.#options.maxFailures ? Math.ceil(left / 1000) : null;
  }

  failed(address: string): void {
    this.#prune();
    const entry = this.#failures.get(address) ?? { count: 0, since: this.#options.now() };
    entry.count += 1;
    this.#failures.set(address, entry);
    for (const oldest of this.#failures.keys()) {
      if (this.#failures.size <= this.#maxTracked) break;
      this.#failures.delete(oldest);
    }
  }

  succeeded(address: string): void {
    this.#failures.delete(address);
  }

  /** Drops every entry whose window has ended: they sit at the front. */
  #prune(): void {
    const cutoff = this.#options.now() - this.#options.windowMs;
    for (const [address, entry] of this.#failures) {
      if (entry.since > cutoff) break;
      this.#failures.delete(address);
    }
  }
}
