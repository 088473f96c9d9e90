// The sidebar width, the editor/results split and grid column widths, remembered per browser in localStorage.
import { clamp, COLUMN, EDITOR, layoutJson, readLayout, rememberWidth, SIDEBAR } from '../lib/layout.ts';

const KEY = 'dinobase:layout';

function load(): unknown {
  try {
    return typeof localStorage === 'undefined' ? null : JSON.parse(localStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
}

export class Layout {
  #sidebar = $state(SIDEBAR.initial);
  #editor = $state(EDITOR.initial);
  // Never mutated: each change stores a new Map (rememberWidth), which is what $state.raw tracks.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #columns = $state.raw(new Map<string, number>());

  constructor(stored: unknown = load()) {
    const layout = readLayout(stored);
    this.#sidebar = layout.sidebar;
    this.#editor = layout.editor;
    this.#columns = layout.columns;
  }

  /** Sidebar width, px. */
  get sidebar(): number {
    return this.#sidebar;
  }
  set sidebar(px: number) {
    this.#sidebar = clamp(px, SIDEBAR);
    this.#save();
  }

  /** The editor's share of the query page's height, percent. */
  get editor(): number {
    return this.#editor;
  }
  set editor(percent: number) {
    this.#editor = clamp(percent, EDITOR);
    this.#save();
  }

  /** The width the user gave columns of this name, or undefined (the grid sizes it from its content). */
  columnWidth(name: string): number | undefined {
    return this.#columns.get(name);
  }

  /** Remembers a dragged column width; null forgets it (a double-click on the edge). */
  setColumnWidth(name: string, px: number | null): void {
    this.#columns = rememberWidth(this.#columns, name, px === null ? null : clamp(px, COLUMN));
    this.#save();
  }

  #save(): void {
    try {
      localStorage.setItem(
        KEY,
        layoutJson({ sidebar: this.#sidebar, editor: this.#editor, columns: this.#columns }),
      );
    } catch {
      // Full or unavailable storage: the sizes hold for this page only.
    }
  }
}

/** One per page: the sizes are the browser's, not a tab's or a component's. */
export const layout = new Layout();
