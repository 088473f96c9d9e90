// Pane sizes and grid column widths as stored per browser: clamped to their bounds, the widths in a bounded store.

/** A size's bounds and the value a double-click on its splitter restores. */
export interface Bounds {
  min: number;
  max: number;
  initial: number;
}

/** The sidebar's width in pixels, and the editor's share of the query page's height in percent. */
export const SIDEBAR: Bounds = { min: 160, max: 640, initial: 280 };
export const EDITOR: Bounds = { min: 12, max: 85, initial: 38 };
export const COLUMN: Bounds = { min: 40, max: 1200, initial: 120 };
/** Column widths remembered at most: the oldest resized name is forgotten first. */
export const MAX_COLUMNS = 200;

export interface StoredLayout {
  sidebar: number;
  editor: number;
  /** Width by result column name, least recently resized first (a Map keeps that order for any name). */
  columns: Map<string, number>;
}

/** `value` within `bounds`, rounded; anything not a finite number gives the initial value. */
export function clamp(value: unknown, bounds: Bounds): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return bounds.initial;
  return Math.round(Math.min(bounds.max, Math.max(bounds.min, value)));
}

/** The widths with `name` set to `width` (or forgotten, with null) as the newest entry, at most `limit` kept. */
export function rememberWidth(
  columns: Map<string, number>,
  name: string,
  width: number | null,
  limit = MAX_COLUMNS,
): Map<string, number> {
  const entries = [...columns].filter(([key]) => key !== name);
  if (width !== null) entries.push([name, clamp(width, COLUMN)]);
  return new Map(entries.slice(Math.max(0, entries.length - limit)));
}

/** The JSON form: [name, width] pairs, oldest first (object keys would reorder names such as "1"). */
export function layoutJson(layout: StoredLayout): string {
  return JSON.stringify({ ...layout, columns: [...layout.columns] });
}

/** What was stored, checked: a size out of bounds is clamped, a malformed entry dropped, the store bounded. */
export function readLayout(value: unknown): StoredLayout {
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  let columns = new Map<string, number>();
  for (const pair of Array.isArray(v.columns) ? (v.columns as unknown[]) : []) {
    if (!Array.isArray(pair)) continue;
    const [name, width] = pair as unknown[];
    if (typeof name === 'string' && typeof width === 'number' && Number.isFinite(width))
      columns = rememberWidth(columns, name, width);
  }
  return { sidebar: clamp(v.sidebar, SIDEBAR), editor: clamp(v.editor, EDITOR), columns };
}
