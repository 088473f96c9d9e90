// The page's one view of the network: offline (browser or server) disables sync and write-back until it is back.
import { ConnectivityWatch, type OfflineReason } from '../lib/connectivity.ts';

const MESSAGES: Record<OfflineReason, string> = {
  browser_offline: 'This browser is offline.',
  server_unreachable: 'The Dinobase server is unreachable.',
};

export class Network {
  #reason = $state.raw<OfflineReason | null>(null);
  #reachedAt = $state(0);
  #watch = new ConnectivityWatch({
    onChange: (reason) => (this.#reason = reason),
    onReachable: () => (this.#reachedAt = Date.now()),
  });

  /** True while sync and write-back cannot reach the server; local queries keep working. */
  get offline(): boolean {
    return this.#reason !== null;
  }
  get reason(): OfflineReason | null {
    return this.#reason;
  }
  /** When the server last answered a probe (0: not yet); what needs it can retry each time this changes. */
  get reachedAt(): number {
    return this.#reachedAt;
  }
  /** The tooltip for disabled Sync / Confirm buttons; null while online. */
  get hint(): string | null {
    return this.#reason
      ? `${MESSAGES[this.#reason]} Sync and write-back resume when it is back; local queries still work.`
      : null;
  }

  /** Starts watching (idempotent); the app's Session does this when it opens. */
  start(): void {
    this.#watch.start();
  }

  /** Call when a request to the server failed: it re-checks at once instead of at the next heartbeat. */
  report(): void {
    this.#watch.report();
  }
}

export const network = new Network();
