// A new version of the app that the service worker installed: offered to the user, applied when they reload.

/**
 * `ready`: a new version waits while this one runs (a tab left open across a redeploy keeps its own assets
 * until the user chooses, so a lazily loaded chunk is never missing). `elsewhere`: another tab applied it.
 */
export type UpdateState = 'none' | 'ready' | 'elsewhere';

export class AppUpdate {
  #state = $state<UpdateState>('none');
  #registration: ServiceWorkerRegistration | null = null;
  #applying = false;

  get state(): UpdateState {
    return this.#state;
  }

  /** Follows `registration` for a new worker that finishes installing while an older one controls the page. */
  watch(
    registration: ServiceWorkerRegistration,
    container: ServiceWorkerContainer = navigator.serviceWorker,
  ): void {
    this.#registration = registration;
    // The very first install takes control too (clientsClaim); that is no update.
    let controlled = container.controller !== null;
    const check = () => {
      if (registration.waiting && container.controller) this.#state = 'ready';
    };
    check();
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed') check();
      });
    });
    container.addEventListener('controllerchange', () => {
      if (!controlled) {
        controlled = true;
        return;
      }
      if (this.#applying) location.reload();
      else this.#state = 'elsewhere';
    });
  }

  /** Lets the waiting version take over; the page reloads as soon as it controls it. */
  apply(): void {
    const waiting = this.#registration?.waiting;
    if (!waiting) {
      location.reload();
      return;
    }
    this.#applying = true;
    // Workbox's generated worker calls skipWaiting() on this message.
    waiting.postMessage({ type: 'SKIP_WAITING' });
  }
}

/** The page's one instance: web/main.ts feeds it the registration, the banner reads it. */
export const appUpdate = new AppUpdate();
