// A module loaded on first use: pages that are not on screen at start stay out of the first bundle.
import { errorMessage } from '../../common/error-message.ts';

/**
 * Holds what `load` resolves to once it has. Reading `current` starts the load. A failed load (a chunk that
 * neither the network nor the service worker had) is kept as `error`: the browser remembers a failed module
 * fetch for the page's life, so asking again cannot help, and only a reload loads it.
 */
export class Lazy<T> {
  #load: () => Promise<T>;
  #loading: Promise<T> | null = null;
  #value = $state.raw<T | null>(null);
  #error = $state.raw<string | null>(null);

  constructor(load: () => Promise<T>) {
    this.#load = load;
  }

  /** The loaded value, or null while it loads (the first read starts it) or after it failed. */
  get current(): T | null {
    void this.load().catch(() => undefined);
    return this.#value;
  }

  get error(): string | null {
    return this.#error;
  }

  /** Starts the load once; later calls share it. */
  load(): Promise<T> {
    this.#loading ??= this.#load().then(
      (value) => {
        this.#value = value;
        return value;
      },
      (error: unknown) => {
        this.#error = errorMessage(error);
        throw error;
      },
    );
    return this.#loading;
  }
}

/** A Svelte component module's default export, loaded on first use. */
export function lazyComponent<C>(load: () => Promise<{ default: C }>): Lazy<C> {
  return new Lazy(() => load().then((module) => module.default));
}
