// Picks a quick chart for a result from its column types, and shapes the Arrow data for Observable Plot.
import type { Table } from 'apache-arrow';
import { columnToJson, type JsonValue } from '../../worker/values.ts';
import { columnKind, type ColumnKind } from './cells.ts';

export type ChartType = 'bar' | 'line' | 'area' | 'scatter';
export const CHART_TYPES: ChartType[] = ['bar', 'line', 'area', 'scatter'];
export type Aggregation = 'none' | 'sum' | 'count' | 'avg' | 'min' | 'max';
export const AGGREGATIONS: Aggregation[] = ['none', 'sum', 'count', 'avg', 'min', 'max'];

export interface ChartSpec {
  type: ChartType;
  /** Column position, or -1 for the row number. */
  x: number;
  /** Column position, or -1 when `agg` is count and no column is counted (rows are). */
  y: number;
  /** A text column that splits the chart into coloured series. */
  series: number | null;
  /** How rows sharing an x (and series) become one point. */
  agg: Aggregation;
}

/**
 * What the user picked for a tab's chart, by column NAME so it outlives a re-run; an absent key means "auto"
 * (picked from the column types) and `series: null` means "no series".
 */
export interface ChartSettings {
  type?: ChartType;
  x?: string;
  y?: string;
  series?: string | null;
  agg?: Aggregation;
}

export interface ChartPoint {
  x: string | number | Date;
  y: number;
  series?: string;
}

export interface ChartData {
  points: ChartPoint[];
  /** Set when only part of the result is drawn, e.g. "first 50 of 120 categories". */
  note: string | null;
}

/** Most bars, line points and scatter dots drawn; SVG stays responsive under these. */
export const LIMITS: Record<ChartType, number> = { bar: 50, line: 20_000, area: 20_000, scatter: 5_000 };

export type ChartRole = 'x' | 'y' | 'series';

const ROLE_KINDS: Record<ChartRole, Record<ChartType, ColumnKind[]>> = {
  x: {
    bar: ['text', 'temporal', 'number', 'boolean'],
    line: ['temporal', 'number', 'text', 'boolean'],
    area: ['temporal', 'number', 'text', 'boolean'],
    scatter: ['number', 'temporal'],
  },
  y: { bar: ['number'], line: ['number'], area: ['number'], scatter: ['number'] },
  series: {
    bar: ['text', 'boolean'],
    line: ['text', 'boolean'],
    area: ['text', 'boolean'],
    scatter: ['text', 'boolean'],
  },
};

/** Column positions that may play `role` in a `type` chart (nested values and BLOBs never do). */
export function eligibleColumns(types: string[], role: ChartRole, type: ChartType): number[] {
  const wanted = ROLE_KINDS[role][type];
  return types.flatMap((t, i) => (wanted.includes(columnKind(t)) ? [i] : []));
}

/** Bars add up repeated categories (as before settings existed); lines, areas and dots draw every row. */
export function defaultAgg(type: ChartType): Aggregation {
  return type === 'bar' ? 'sum' : 'none';
}

function first(kinds: ColumnKind[], want: ColumnKind, skip: number[] = []): number {
  return kinds.findIndex((k, i) => k === want && !skip.includes(i));
}

/**
 * The chart for these column types, or null when there is nothing to plot (no numeric column).
 * Auto: temporal + number → line; text + number → bar; two numbers → scatter; one number → bar by row.
 * `override` forces the chart type and picks the best columns for it.
 */
export function pickChart(types: string[], override: ChartType | null = null): ChartSpec | null {
  const kinds = types.map(columnKind);
  const time = first(kinds, 'temporal');
  const text = first(kinds, 'text');
  const y = first(kinds, 'number', []);
  if (y < 0) return null;
  const secondNumber = first(kinds, 'number', [y]);
  const type: ChartType =
    override ?? (time >= 0 ? 'line' : text >= 0 ? 'bar' : secondNumber >= 0 ? 'scatter' : 'bar');
  const agg = defaultAgg(type);
  if (type === 'scatter') {
    if (secondNumber < 0) return null;
    return { type, x: y, y: secondNumber, series: text >= 0 ? text : null, agg };
  }
  if (type === 'line' || type === 'area') {
    // Time first, then a second number; categories (text) still draw as a line over the result's order.
    if (time >= 0) return { type, x: time, y, series: text >= 0 ? text : null, agg };
    if (secondNumber >= 0) return { type, x: y, y: secondNumber, series: text >= 0 ? text : null, agg };
    return { type, x: text, y, series: null, agg };
  }
  const x = text >= 0 ? text : time >= 0 ? time : -1;
  return { type, x, y, series: null, agg };
}

/**
 * The chart a tab's settings draw on this result. A picked column that is gone after a re-run (or cannot play
 * its part in this chart type) falls back to the automatic choice, while the other picks stay.
 */
export function resolveChart(settings: ChartSettings, columns: string[], types: string[]): ChartSpec | null {
  const auto = pickChart(types, settings.type ?? null);
  const type = settings.type ?? auto?.type ?? 'bar';
  const agg = settings.agg ?? defaultAgg(type);
  const named = (name: string | null | undefined, role: ChartRole): number | undefined => {
    const i = name == null ? -1 : columns.indexOf(name);
    return i >= 0 && eligibleColumns(types, role, type).includes(i) ? i : undefined;
  };
  const y = named(settings.y, 'y') ?? auto?.y ?? eligibleColumns(types, 'y', type)[0] ?? -1;
  // Counting needs no numeric column: it counts rows.
  if (y < 0 && agg !== 'count') return null;
  const fallbackX = type === 'scatter' ? undefined : -1;
  const x =
    named(settings.x, 'x') ??
    (auto && auto.x !== y ? auto.x : undefined) ??
    eligibleColumns(types, 'x', type).find((i) => i !== y) ??
    fallbackX;
  if (x === undefined) return null;
  const series = settings.series === null ? null : (named(settings.series, 'series') ?? auto?.series ?? null);
  return { type, x, y, series: series === x || series === y ? null : series, agg };
}

/** Settings read back from storage: anything malformed (an old or hand-edited entry) is dropped, not trusted. */
export function chartSettings(value: unknown): ChartSettings {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const out: ChartSettings = {};
  if (CHART_TYPES.includes(v.type as ChartType)) out.type = v.type as ChartType;
  if (AGGREGATIONS.includes(v.agg as Aggregation)) out.agg = v.agg as Aggregation;
  if (typeof v.x === 'string') out.x = v.x;
  if (typeof v.y === 'string') out.y = v.y;
  if (typeof v.series === 'string' || v.series === null) out.series = v.series;
  return out;
}

function toNumber(value: JsonValue): number | null {
  if (value === null) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** DuckDB prints `2024-01-02 03:04:05[.ffffff][+00]` and `2024-01-02`; Plot wants Dates. */
export function toDate(value: JsonValue): Date | null {
  if (typeof value !== 'string') return null;
  const m =
    /^(-?\d{4,}-\d\d-\d\d)(?:[ T](\d\d:\d\d:\d\d(?:\.\d{1,3})?)\d*)?(?:([+-]\d\d)(?::?(\d\d))?)?$/.exec(
      value,
    );
  if (!m) return null;
  const zone = m[3] ? `${m[3]}:${m[4] ?? '00'}` : 'Z';
  const date = new Date(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

function xValue(value: JsonValue, kind: ColumnKind): string | number | Date | null {
  if (value === null) return null;
  if (kind === 'number') return toNumber(value);
  if (kind === 'temporal') return toDate(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A bar's category label: dates as DuckDB prints them (a day alone when there is no time of day). */
function category(x: string | number | Date): string {
  if (!(x instanceof Date)) return String(x);
  const iso = x.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

interface Group {
  point: ChartPoint;
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** One point per (x, series), in the order first seen, so an ORDER BY in the SQL still shows. */
export function aggregate(points: ChartPoint[], agg: Exclude<Aggregation, 'none'>): ChartPoint[] {
  const groups = new Map<string, Group>();
  for (const p of points) {
    const x = p.x instanceof Date ? p.x.getTime() : p.x;
    const key = `${typeof x}:${String(x)}\0${p.series ?? ''}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { point: { ...p }, sum: p.y, count: 1, min: p.y, max: p.y });
    else {
      g.sum += p.y;
      g.count++;
      g.min = Math.min(g.min, p.y);
      g.max = Math.max(g.max, p.y);
    }
  }
  const value = (g: Group): number =>
    agg === 'sum' ? g.sum : agg === 'count' ? g.count : agg === 'avg' ? g.sum / g.count : g[agg];
  return [...groups.values()].map((g) => ({ ...g.point, y: value(g) }));
}

/** Points for `spec` from the loaded rows; bars keep the result's order (so ORDER BY shows). */
export function chartData(table: Table, types: string[], spec: ChartSpec): ChartData {
  const column = (i: number) => columnToJson(table.getChildAt(i)!);
  const xs = spec.x >= 0 ? column(spec.x) : null;
  const ys = spec.y >= 0 ? column(spec.y) : null;
  const series = spec.series !== null ? column(spec.series) : null;
  const xKind = spec.x >= 0 ? columnKind(types[spec.x]) : 'number';
  let points: ChartPoint[] = [];
  for (let i = 0; i < table.numRows; i++) {
    // A count with no column counts rows; with one it counts its non-NULL values, as SQL's count(col) does.
    const y = ys ? toNumber(ys[i]!) : 1;
    const x = xs ? xValue(xs[i]!, xKind) : i + 1;
    if (y === null || x === null) continue;
    const point: ChartPoint = { x, y };
    if (series) point.series = series[i] === null ? 'NULL' : String(series[i]);
    points.push(point);
  }
  if (spec.agg !== 'none') points = aggregate(points, spec.agg);
  const limit = LIMITS[spec.type];
  if (spec.type === 'bar') {
    // Bars stand on categories: a band scale wants them as text, in the result's order.
    points = points.map((p) => ({ ...p, x: category(p.x) }));
    const categories = [...new Set(points.map((p) => String(p.x)))];
    if (categories.length <= limit) return { points, note: null };
    const kept = new Set(categories.slice(0, limit));
    const note = `first ${limit} of ${categories.length} categories`;
    return { points: points.filter((p) => kept.has(String(p.x))), note };
  }
  if (spec.type !== 'scatter' && xKind !== 'text') points.sort((a, b) => Number(a.x) - Number(b.x));
  const note =
    points.length > limit
      ? `first ${limit.toLocaleString()} of ${points.length.toLocaleString()} points`
      : null;
  return { points: points.slice(0, limit), note };
}

/** Bar labels longer than this many characters are cut, so one long name cannot squeeze the bars. */
const LABEL_CHARS = 24;

/** Cuts a long label in the middle: names often share a prefix and differ at the end ("… category 11"). */
export function shortLabel(text: string): string {
  if (text.length <= LABEL_CHARS) return text;
  const head = Math.floor((LABEL_CHARS - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (LABEL_CHARS - 1 - head))}`;
}

/** Plot's defaults under the x axis: tick length and the gap before a tick label. */
const TICK_PX = 6 + 3;

/**
 * The bottom margin for x labels at most `labelPx` wide, turned by `angle` degrees: the ticks, the labels' drop
 * (width · sin + height · cos), then a line for the axis title, which Plot draws at the margin's bottom edge.
 */
export function bottomMargin(labelPx: number, angle: number, fontPx = 11): number {
  const turn = (Math.abs(angle) * Math.PI) / 180;
  const drop = labelPx * Math.sin(turn) + fontPx * Math.cos(turn);
  const title = fontPx * 1.2 + 3;
  return Math.max(40, Math.ceil(TICK_PX + drop + 6 + title));
}
