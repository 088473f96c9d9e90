// Tab election: one tab owns the OPFS database (Web Locks, duckdb-wasm #2111); others wait or ask it over (BroadcastChannel).

/**
 * What this tab is doing with the database.
 * - `electing`: just started, asking for the lock.
 * - `owner`: holds the lock; the engine may open the database.
 * - `waiting`: another tab holds it; this tab is queued and takes over when that tab closes.
 * - `claiming`: "Use here" was clicked; the owner is closing so this tab can open.
 * - `releasing`: another tab asked for the database; this tab is checkpointing and closing it.
 * - `moved`: this tab handed the database to another tab (and is queued to take it back).
 */
export type TabRole = 'electing' | 'owner' | 'waiting' | 'claiming' | 'releasing' | 'moved';

/** The messages tabs exchange; the lock itself is the only source of truth about who owns the database. */
export type TabMessage = { type: 'claim'; from: string } | { type: 'owner'; from: string };

/** The part of `navigator.locks` the election uses (tests pass a fake). */
export interface TabLocks {
  request(
    name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean },
    callback: (lock: Lock | null) => Promise<void>,
  ): Promise<void>;
}

/** The part of `BroadcastChannel` the election uses. */
export interface TabChannel {
  postMessage(message: TabMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
  close(): void;
}

export interface TabElectionOptions {
  /** Runs when this tab becomes the owner: open the database. Its failure keeps the lock (the UI shows it). */
  acquire: () => Promise<void>;
  /** Runs before the lock is handed to another tab: checkpoint and close the database. */
  release: () => Promise<void>;
  onRole?: (role: TabRole) => void;
  /** @default 'dinobase:engine' */
  name?: string;
  /** @default navigator.locks; null runs without an election (every tab owns, as without OPFS). */
  locks?: TabLocks | null;
  /** @default a BroadcastChannel named after the lock */
  channel?: TabChannel | null;
  /** How long a "Use here" claim keeps other queued tabs from taking the lock first. @default 15000 */
  claimTtlMs?: number;
}

function isTabMessage(data: unknown): data is TabMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { type, from } = data as Record<string, unknown>;
  return (type === 'claim' || type === 'owner') && typeof from === 'string';
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

function defaultLocks(): TabLocks | null {
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
}

export class TabElection {
  readonly id = crypto.randomUUID();
  #options: TabElectionOptions;
  #name: string;
  #locks: TabLocks | null;
  #channel: TabChannel | null;
  #role: TabRole = 'electing';
  #stop = new AbortController();
  /** Resolving it ends the lock callback, which releases the lock. */
  #unlock: (() => void) | null = null;
  #acquiring: Promise<void> = Promise.resolve();
  /** The latest "Use here" from any tab, so a tab ahead of it in the lock queue lets it through. */
  #claim: { from: string; at: number } | null = null;
  #started = false;

  constructor(options: TabElectionOptions) {
    this.#options = options;
    this.#name = options.name ?? 'dinobase:engine';
    this.#locks = options.locks === undefined ? defaultLocks() : options.locks;
    this.#channel =
      options.channel === undefined
        ? typeof BroadcastChannel === 'undefined'
          ? null
          : (new BroadcastChannel(this.#name) as TabChannel)
        : options.channel;
  }

  get role(): TabRole {
    return this.#role;
  }

  /** Starts electing; safe to call more than once. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#channel?.addEventListener('message', (event) => {
      if (isTabMessage(event.data)) void this.#onMessage(event.data);
    });
    if (!this.#locks) {
      // No Web Locks (an insecure context has no OPFS either): nothing to share, so this tab owns.
      this.#setRole('owner');
      this.#acquiring = this.#options.acquire();
      return;
    }
    void this.#loop();
  }

  /** "Use here": asks the owner to close the database and hand it to this tab. */
  useHere(): void {
    if (this.#role === 'owner' || this.#role === 'releasing' || !this.#locks) return;
    this.#claim = { from: this.id, at: Date.now() };
    this.#setRole('claiming');
    this.#post({ type: 'claim', from: this.id });
  }

  /** Gives up the lock and leaves the election (the page is going away, or a test ends). */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#unlock?.();
    this.#unlock = null;
    this.#channel?.close();
  }

  /** Queues for the lock for as long as the page lives: a tab that gave the database away takes it back later. */
  async #loop(): Promise<void> {
    const locks = this.#locks!;
    // Asked without queueing first, the browser says at once whether another tab holds it. A timer guessing
    // that from a slow grant flashed "open in another tab" in a lone tab whose page was busy starting.
    let held = false;
    await locks
      .request(this.#name, { ifAvailable: true }, async (lock) => {
        held = lock !== null;
        if (held) await this.#hold();
      })
      .catch(() => undefined);
    if (!held && this.#role === 'electing') this.#setRole('waiting');
    else await this.#waitForClaimant();
    while (!this.#stop.signal.aborted) {
      try {
        await locks.request(this.#name, { signal: this.#stop.signal }, () => this.#hold());
      } catch {
        return; // aborted by stop()
      }
      await this.#waitForClaimant();
    }
  }

  /** Holds the lock until another tab claims it; returns at once to let a claiming tab through first. */
  async #hold(): Promise<void> {
    if (this.#stop.signal.aborted || this.#otherClaimPending()) return;
    this.#claim = null;
    const held = new Promise<void>((done) => (this.#unlock = done));
    this.#setRole('owner');
    this.#post({ type: 'owner', from: this.id });
    this.#acquiring = this.#options.acquire().catch(() => undefined);
    await held;
  }

  #otherClaimPending(): boolean {
    const claim = this.#claim;
    if (!claim || claim.from === this.id) return false;
    return Date.now() - claim.at < (this.#options.claimTtlMs ?? 15_000);
  }

  /** After yielding to a claim, queue again only once the claimant owns the lock (or its claim lapsed). */
  async #waitForClaimant(): Promise<void> {
    while (this.#otherClaimPending() && !this.#stop.signal.aborted) await sleep(50);
  }

  async #onMessage(message: TabMessage): Promise<void> {
    if (message.type === 'owner') {
      if (this.#claim?.from === message.from) this.#claim = null;
      // Someone else won a claim race: this tab stays queued.
      if (this.#role === 'claiming' && message.from !== this.id) this.#setRole('waiting');
      return;
    }
    // Without Web Locks every tab owns its own (in-memory) database: there is nothing to hand over.
    if (message.from === this.id || !this.#locks) return;
    this.#claim = { from: message.from, at: Date.now() };
    if (this.#role !== 'owner') return;
    this.#setRole('releasing');
    try {
      // Opening must finish before closing, or the close would race the open.
      await this.#acquiring;
      await this.#options.release();
    } finally {
      this.#setRole('moved');
      this.#unlock?.();
      this.#unlock = null;
    }
  }

  #post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel (the page is unloading) has no one left to tell.
    }
  }

  #setRole(role: TabRole): void {
    if (this.#role === role) return;
    this.#role = role;
    this.#options.onRole?.(role);
  }
}
