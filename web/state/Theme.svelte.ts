// Light or dark: follows the system (prefers-color-scheme) unless the user picked one in Settings; kept in localStorage.

export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'dinobase:theme';
const QUERY = '(prefers-color-scheme: dark)';

function stored(): ThemeChoice {
  const value = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export class Theme {
  #choice = $state<ThemeChoice>(stored());
  #systemDark = $state(false);
  #media: MediaQueryList | null = null;
  #onSystem = (event: MediaQueryListEvent) => (this.#systemDark = event.matches);

  /** What the page shows now. */
  resolved = $derived<'light' | 'dark'>(
    this.#choice === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#choice,
  );

  constructor() {
    if (typeof matchMedia === 'function') {
      this.#media = matchMedia(QUERY);
      this.#systemDark = this.#media.matches;
      this.#media.addEventListener('change', this.#onSystem);
    }
  }

  get choice(): ThemeChoice {
    return this.#choice;
  }

  set(choice: ThemeChoice): void {
    this.#choice = choice;
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  }

  /** Puts the resolved theme on <html> (`data-theme`, `color-scheme`), where the CSS variables read it. */
  apply(root: HTMLElement = document.documentElement): void {
    root.dataset.theme = this.resolved;
    root.style.colorScheme = this.resolved;
  }

  destroy(): void {
    this.#media?.removeEventListener('change', this.#onSystem);
  }
}
