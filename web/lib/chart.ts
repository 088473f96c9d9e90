// Picks a quick chart for a result from its column types, and shapes the Arrow data for Observable Plot.
import type { Table } from 'apache-arrow';
import { columnToJson, type JsonValue } from '../../worker/values.ts';
import { columnKind, type ColumnKind } from './cells.ts';

export type ChartType = 'bar' | 'line' | 'scatter';
export const CHART_TYPES: ChartType[] = ['bar', 'line', 'scatter'];

export interface ChartSpec {
  type: ChartType;
  x: number;
  y: number;
  /** A low-cardinality text column that splits a line chart into series. */
  series: number | null;
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
export const LIMITS: Record<ChartType, number> = { bar: 50, line: 20_000, scatter: 5_000 };

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
  if (type === 'scatter') {
    if (secondNumber < 0) return null;
    return { type, x: y, y: secondNumber, series: text >= 0 ? text : null };
  }
  if (type === 'line') {
    // Time first, then a second number; categories (text) still draw as a line over the result's order.
    if (time >= 0) return { type, x: time, y, series: text >= 0 ? text : null };
    if (secondNumber >= 0) return { type, x: y, y: secondNumber, series: text >= 0 ? text : null };
    return { type, x: text, y, series: null };
  }
  const x = text >= 0 ? text : time >= 0 ? time : -1;
  return { type, x, y, series: null };
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

/** Points for `spec`; bars sum repeated categories and keep the result's order (so ORDER BY shows). */
export function chartData(table: Table, types: string[], spec: ChartSpec): ChartData {
  const column = (i: number) => columnToJson(table.getChildAt(i)!);
  const xs = spec.x >= 0 ? column(spec.x) : null;
  const ys = column(spec.y);
  const series = spec.series !== null ? column(spec.series) : null;
  const xKind = spec.x >= 0 ? columnKind(types[spec.x]) : 'number';
  const points: ChartPoint[] = [];
  for (let i = 0; i < ys.length; i++) {
    const y = toNumber(ys[i]!);
    const x = xs ? xValue(xs[i]!, xKind) : i + 1;
    if (y === null || x === null) continue;
    const point: ChartPoint = { x, y };
    if (series) point.series = series[i] === null ? 'NULL' : String(series[i]);
    points.push(point);
  }
  const limit = LIMITS[spec.type];
  if (spec.type === 'bar') {
    const sums = new Map<string, number>();
    for (const p of points) sums.set(String(p.x), (sums.get(String(p.x)) ?? 0) + p.y);
    const bars = [...sums].map(([x, y]) => ({ x, y }));
    const note = bars.length > limit ? `first ${limit} of ${bars.length} categories` : null;
    return { points: bars.slice(0, limit), note };
  }
  if (spec.type === 'line' && xKind !== 'text') points.sort((a, b) => Number(a.x) - Number(b.x));
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
