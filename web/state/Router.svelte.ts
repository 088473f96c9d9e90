// The hash router: which page is shown, following the address bar's `#/…` (back and forward included).
import { hashOf, parseHash, type Page, type Route } from '../lib/routes.ts';

export class Router {
  #route = $state.raw<Route>(parseHash(location.hash));
  #onChange = () => (this.#route = parseHash(location.hash));

  constructor() {
    window.addEventListener('hashchange', this.#onChange);
  }

  get route(): Route {
    return this.#route;
  }
  get page(): Page {
    return this.#route.page;
  }

  /** Navigates (a history entry, so Back returns); the same route again only re-applies it. */
  go(route: Route | Page): void {
    const next = typeof route === 'string' ? { page: route } : route;
    const hash = hashOf(next);
    if (location.hash === hash || (hash === '#/' && location.hash === '')) this.#route = next;
    else location.hash = hash;
  }

  destroy(): void {
    window.removeEventListener('hashchange', this.#onChange);
  }
}
