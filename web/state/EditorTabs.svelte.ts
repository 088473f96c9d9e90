// The editor's query tabs: each keeps its own SQL; the list survives reloads and hand-overs in localStorage.
import { del, get } from 'idb-keyval';
import type { ChartSettings } from '../lib/chart.ts';

export interface EditorTab {
  id: string;
  title: string;
  sql: string;
  /** The saved query this tab is: Ctrl/Cmd+S overwrites it instead of asking a name. */
  saved?: string;
  /** The chart's picks (columns by name, type, aggregation); read back through `chartSettings()`. */
  chart?: ChartSettings;
  /** Results show as a chart (absent: as a table). */
  view?: 'table' | 'chart';
}

interface StoredTabs {
  tabs: EditorTab[];
  active: string;
}

const KEY = 'dinobase:editor-tabs';
const SAVE_DELAY_MS = 300;

function isStored(value: unknown): value is StoredTabs {
  if (typeof value !== 'object' || value === null || !('tabs' in value) || !('active' in value)) return false;
  return Array.isArray(value.tabs) && value.tabs.length > 0 && typeof value.active === 'string';
}

/**
 * localStorage, not IndexedDB: a write must finish inside `pagehide` (a reload right after typing, a tab
 * handing the database on as it closes), and Chromium drops IndexedDB writes begun there.
 */
function read(): StoredTabs | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    return isStored(value) ? value : null;
  } catch {
    return null;
  }
}

/** Tabs saved by versions that kept them in IndexedDB, moved over once. */
async function readOld(): Promise<StoredTabs | null> {
  const value: unknown = await get(KEY).catch(() => undefined);
  if (!isStored(value)) return null;
  write(value);
  await del(KEY).catch(() => undefined);
  return value;
}

function write(value: StoredTabs): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(value));
  } catch {
    // Full or unavailable storage: the tabs live on in this page only.
  }
}

export class EditorTabs {
  #tabs = $state.raw<EditorTab[]>([]);
  #activeId = $state('');
  #next = 1;
  #edited = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #persist: boolean;
  #onStorage: ((event: StorageEvent) => void) | undefined;
  #following = false;
  /** Nothing was changed here since the stored tabs were last shown. */
  #untouched = true;

  /** `persist: false` keeps tabs in memory only (tests, or where storage is unavailable). */
  constructor(initialSql: string, options: { persist?: boolean } = {}) {
    this.#persist = options.persist ?? typeof localStorage !== 'undefined';
    const first = this.#make(initialSql);
    this.#tabs = [first];
    this.#activeId = first.id;
  }

  get tabs() {
    return this.#tabs;
  }
  get activeId() {
    return this.#activeId;
  }
  get active(): EditorTab {
    return this.#tabs.find((t) => t.id === this.#activeId) ?? this.#tabs[0]!;
  }

  /** Restores the tabs of the last visit, unless the user already typed in this one. */
  async restore(): Promise<void> {
    if (!this.#persist) return;
    const stored = read() ?? (await readOld());
    if (this.#edited || !stored) return;
    this.#show(stored);
  }

  /**
   * Shows the stored tabs instead of these: another tab had the database (and the editor) since this one
   * read them, and saved its own before handing over.
   */
  async reload(): Promise<void> {
    if (!this.#persist) return;
    const stored = read();
    if (!stored) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#show(stored);
  }

  /**
   * While `on`, shows the stored tabs each time another page of this origin saves them: a tab waiting for the
   * database mirrors the tabs of the one using it (saved after a typing pause), so what it shows is what "Use
   * here" will show, not what was stored when it opened. Once off, a save still counts until this tab changes
   * something: the tab that let go saved on `pagehide`, and that write can reach this tab after the lock did.
   */
  follow(on: boolean): void {
    if (!this.#persist || typeof addEventListener !== 'function') return;
    this.#following = on;
    if (this.#onStorage) return;
    this.#onStorage = (event) => {
      if (event.key === KEY && (this.#following || this.#untouched)) void this.reload();
    };
    addEventListener('storage', this.#onStorage);
  }

  /** Writes unsaved changes now, synchronously, instead of after the typing pause (before another tab takes over). */
  async flush(): Promise<void> {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#save();
  }

  #show(stored: StoredTabs): void {
    this.#untouched = true;
    this.#tabs = stored.tabs;
    this.#activeId = stored.tabs.some((t) => t.id === stored.active) ? stored.active : stored.tabs[0]!.id;
    this.#next = Math.max(...stored.tabs.map((t) => Number(/\d+$/.exec(t.id)?.[0] ?? 0))) + 1;
  }

  add(sql = ''): EditorTab {
    const tab = this.#make(sql);
    this.#tabs = [...this.#tabs, tab];
    this.#activeId = tab.id;
    this.#changed();
    return tab;
  }

  /** Closes a tab; the last one is never closed, only emptied. */
  close(id: string): void {
    const i = this.#tabs.findIndex((t) => t.id === id);
    if (i < 0) return;
    if (this.#tabs.length === 1) {
      this.setSql(id, '');
      return;
    }
    const rest = this.#tabs.filter((t) => t.id !== id);
    if (this.#activeId === id) this.#activeId = (rest[i] ?? rest[i - 1])!.id;
    this.#tabs = rest;
    this.#changed();
  }

  select(id: string): void {
    if (this.#tabs.some((t) => t.id === id)) this.#activeId = id;
    this.#changed();
  }

  /** Moves to the next (or previous, with -1) tab, wrapping around. */
  cycle(step: 1 | -1): void {
    const i = this.#tabs.findIndex((t) => t.id === this.#activeId);
    this.select(this.#tabs[(i + step + this.#tabs.length) % this.#tabs.length]!.id);
  }

  rename(id: string, title: string): void {
    const clean = title.trim();
    if (clean) this.#update(id, { title: clean });
  }

  /** The tab now is saved query `name` (and is titled after it). */
  markSaved(id: string, name: string): void {
    this.#update(id, { saved: name, title: name });
  }

  /** A saved query was renamed (`to`) or deleted (null): tabs that were it follow. */
  relinkSaved(from: string, to: string | null): void {
    if (!this.#tabs.some((t) => t.saved === from)) return;
    this.#tabs = this.#tabs.map((t) =>
      t.saved !== from ? t : to === null ? { ...t, saved: undefined } : { ...t, saved: to, title: to },
    );
    this.#changed();
  }

  setChart(id: string, chart: ChartSettings): void {
    this.#update(id, { chart });
  }

  setView(id: string, view: 'table' | 'chart'): void {
    if (this.#tabs.find((t) => t.id === id)?.view !== view) this.#update(id, { view });
  }

  setSql(id: string, sql: string): void {
    // The editor echoes SQL set from here (a restore, a preview): that is no edit, and no reason to save
    // over what another tab may have stored meanwhile.
    if (this.#tabs.find((t) => t.id === id)?.sql === sql) return;
    this.#edited = true;
    this.#update(id, { sql });
  }

  #update(id: string, patch: Partial<EditorTab>): void {
    this.#tabs = this.#tabs.map((t) => (t.id === id ? { ...t, ...patch } : t));
    this.#changed();
  }

  #make(sql: string): EditorTab {
    const n = this.#next++;
    return { id: `tab-${n}`, title: `Query ${n}`, sql };
  }

  #changed(): void {
    this.#untouched = false;
    if (!this.#persist) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#save();
    }, SAVE_DELAY_MS);
  }

  #save(): void {
    write({ tabs: this.#tabs, active: this.#activeId });
  }
}
