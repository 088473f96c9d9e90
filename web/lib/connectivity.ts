// Is the Dinobase server reachable? navigator.onLine plus a probe of /api/health, re-checked on events and failures.

/** Why sync and write-back cannot run now; null while the server answers. */
export type OfflineReason = 'browser_offline' | 'server_unreachable';

export interface ConnectivityOptions {
  onChange: (reason: OfflineReason | null) => void;
  /** Runs after every probe the server answered, so what failed while it was away can be read again. */
  onReachable?: () => void;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Where `online`/`offline` and `visibilitychange` are heard. @default window and document */
  events?: { window: EventTarget; document?: EventTarget & { visibilityState?: string } };
  /** @default () => navigator.onLine */
  browserOnline?: () => boolean;
  /** A cheap, never-cached, unauthenticated route. @default '/api/health' */
  probeUrl?: string;
  /** Re-probe this often while the server is unreachable. @default 5000 */
  retryMs?: number;
  /** Re-probe this often while it answers, so a stopped server shows without a failed sync first. @default 30000 */
  heartbeatMs?: number;
  /** @default 5000 */
  timeoutMs?: number;
}

export class ConnectivityWatch {
  #options: ConnectivityOptions;
  #reason: OfflineReason | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #probing: Promise<void> | null = null;
  #again = false;
  #stop: (() => void) | null = null;

  constructor(options: ConnectivityOptions) {
    this.#options = options;
  }

  get reason(): OfflineReason | null {
    return this.#reason;
  }

  /** Starts listening and probing; returns a stop function. Safe to call more than once. */
  start(): () => void {
    if (this.#stop) return this.#stop;
    const target = this.#options.events ?? (typeof window === 'undefined' ? null : { window, document });
    const onOnline = () => void this.check();
    const onOffline = () => this.#set('browser_offline');
    const onVisible = () => {
      if (target?.document?.visibilityState !== 'hidden') void this.check();
    };
    target?.window.addEventListener('online', onOnline);
    target?.window.addEventListener('offline', onOffline);
    target?.document?.addEventListener('visibilitychange', onVisible);
    this.#stop = () => {
      target?.window.removeEventListener('online', onOnline);
      target?.window.removeEventListener('offline', onOffline);
      target?.document?.removeEventListener('visibilitychange', onVisible);
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      this.#stop = null;
    };
    void this.check();
    return this.#stop;
  }

  /** A request to the server failed (a sync, a write-back, listing sources): find out whether it is down. */
  report(): void {
    void this.check();
  }

  /** Probes now and schedules the next one; a check asked for during a probe runs once that probe ends. */
  check(): Promise<void> {
    if (this.#probing) {
      this.#again = true;
      return this.#probing;
    }
    this.#probing = (async () => {
      do {
        this.#again = false;
        await this.#probe();
      } while (this.#again);
    })().finally(() => {
      this.#probing = null;
      this.#schedule();
    });
    return this.#probing;
  }

  async #probe(): Promise<void> {
    const browserOnline = this.#options.browserOnline ?? (() => navigator.onLine);
    if (!browserOnline()) return this.#set('browser_offline');
    const fetchImpl = this.#options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    try {
      // Any HTTP answer means the server is there; only a network failure or a timeout means it is not.
      const response = await fetchImpl(this.#options.probeUrl ?? '/api/health', {
        cache: 'no-store',
        credentials: 'same-origin',
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5000),
      });
      await response.body?.cancel().catch(() => undefined);
      this.#set(browserOnline() ? null : 'browser_offline');
      if (this.#reason === null) this.#options.onReachable?.();
    } catch {
      this.#set(browserOnline() ? 'server_unreachable' : 'browser_offline');
    }
  }

  #schedule(): void {
    if (!this.#stop) return;
    if (this.#timer) clearTimeout(this.#timer);
    // While the browser says offline, its `online` event is what brings the next probe.
    if (this.#reason === 'browser_offline') return;
    const delay =
      this.#reason === 'server_unreachable'
        ? (this.#options.retryMs ?? 5000)
        : (this.#options.heartbeatMs ?? 30_000);
    this.#timer = setTimeout(() => void this.check(), delay);
  }

  #set(reason: OfflineReason | null): void {
    if (this.#reason === reason) return;
    this.#reason = reason;
    this.#options.onChange(reason);
  }
}
