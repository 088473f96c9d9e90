// Choosing a quick chart from column types, and the points it draws.
import { tableFromJSON } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  bottomMargin,
  chartData,
  chartSettings,
  eligibleColumns,
  pickChart,
  resolveChart,
  shortLabel,
  toDate,
} from './chart.ts';

describe('pickChart', () => {
  it('picks bar for text + number, line for time + number, scatter for two numbers', () => {
    expect(pickChart(['VARCHAR', 'BIGINT'])).toEqual({ type: 'bar', x: 0, y: 1, series: null, agg: 'sum' });
    expect(pickChart(['DATE', 'DOUBLE'])).toEqual({ type: 'line', x: 0, y: 1, series: null, agg: 'none' });
    expect(pickChart(['TIMESTAMP', 'VARCHAR', 'BIGINT'])).toEqual({
      type: 'line',
      x: 0,
      y: 2,
      series: 1,
      agg: 'none',
    });
    expect(pickChart(['DOUBLE', 'INTEGER'])).toEqual({
      type: 'scatter',
      x: 0,
      y: 1,
      series: null,
      agg: 'none',
    });
    expect(pickChart(['INTEGER'])).toEqual({ type: 'bar', x: -1, y: 0, series: null, agg: 'sum' });
    expect(pickChart(['VARCHAR', 'DATE'])).toBeNull();
  });

  it('follows an override when the columns allow it', () => {
    expect(pickChart(['VARCHAR', 'BIGINT'], 'line')).toEqual({
      type: 'line',
      x: 0,
      y: 1,
      series: null,
      agg: 'none',
    });
    expect(pickChart(['VARCHAR', 'BIGINT'], 'scatter')).toBeNull();
    expect(pickChart(['DATE', 'DOUBLE'], 'bar')).toEqual({
      type: 'bar',
      x: 0,
      y: 1,
      series: null,
      agg: 'sum',
    });
  });
});

describe('resolveChart', () => {
  const columns = ['day', 'region', 'plan', 'amount', 'seats'];
  const types = ['DATE', 'VARCHAR', 'VARCHAR', 'DOUBLE', 'INTEGER'];

  it('follows the picks by column name, and takes the automatic choice for the rest', () => {
    expect(resolveChart({}, columns, types)).toEqual({ type: 'line', x: 0, y: 3, series: 1, agg: 'none' });
    expect(resolveChart({ type: 'bar', x: 'plan', y: 'seats', agg: 'avg' }, columns, types)).toEqual({
      type: 'bar',
      x: 2,
      y: 4,
      series: null,
      agg: 'avg',
    });
    expect(resolveChart({ series: 'plan' }, columns, types)?.series).toBe(2);
    expect(resolveChart({ series: null }, columns, types)?.series).toBeNull();
    expect(resolveChart({ type: 'area' }, columns, types)?.type).toBe('area');
  });

  it('keeps the picks whose columns are still there after a re-run, and falls back for the others', () => {
    const settings = { type: 'bar' as const, x: 'plan', y: 'gone', agg: 'max' as const };
    const rerun = ['plan', 'total'];
    expect(resolveChart(settings, rerun, ['VARCHAR', 'BIGINT'])).toEqual({
      type: 'bar',
      x: 0,
      y: 1,
      series: null,
      agg: 'max',
    });
    // A column that cannot play its part (text as y) is ignored like a missing one.
    expect(resolveChart({ y: 'plan' }, rerun, ['VARCHAR', 'BIGINT'])?.y).toBe(1);
  });

  it('refuses what cannot be drawn, except a count, which needs no numeric column', () => {
    expect(resolveChart({ type: 'scatter' }, ['k', 'v'], ['VARCHAR', 'BIGINT'])).toBeNull();
    expect(resolveChart({}, ['k'], ['VARCHAR'])).toBeNull();
    expect(resolveChart({ agg: 'count' }, ['k'], ['VARCHAR'])).toEqual({
      type: 'bar',
      x: 0,
      y: -1,
      series: null,
      agg: 'count',
    });
  });

  it('offers only columns that fit each part', () => {
    expect(eligibleColumns(types, 'y', 'bar')).toEqual([3, 4]);
    expect(eligibleColumns(types, 'x', 'scatter')).toEqual([0, 3, 4]);
    expect(eligibleColumns(['INTEGER[]', 'BLOB', 'VARCHAR'], 'x', 'bar')).toEqual([2]);
    expect(eligibleColumns(types, 'series', 'line')).toEqual([1, 2]);
  });

  it('reads stored settings defensively: unknown or malformed entries are dropped', () => {
    expect(chartSettings(undefined)).toEqual({});
    expect(chartSettings('bar')).toEqual({});
    expect(chartSettings({ type: 'pie', agg: 'median', x: 3, y: 'amount', series: null })).toEqual({
      y: 'amount',
      series: null,
    });
    expect(chartSettings({ type: 'area', agg: 'count', x: 'day', series: 'plan' })).toEqual({
      type: 'area',
      agg: 'count',
      x: 'day',
      series: 'plan',
    });
  });
});

describe('aggregate', () => {
  const points = [
    { x: 'a', y: 1, series: 's' },
    { x: 'b', y: 10 },
    { x: 'a', y: 5, series: 's' },
    { x: 'a', y: 2, series: 't' },
    { x: 'a', y: 3, series: 's' },
  ];

  it('makes one point per x and series, in first-seen order', () => {
    expect(aggregate(points, 'sum')).toEqual([
      { x: 'a', y: 9, series: 's' },
      { x: 'b', y: 10 },
      { x: 'a', y: 2, series: 't' },
    ]);
    expect(aggregate(points, 'count').map((p) => p.y)).toEqual([3, 1, 1]);
    expect(aggregate(points, 'avg').map((p) => p.y)).toEqual([3, 10, 2]);
    expect(aggregate(points, 'min').map((p) => p.y)).toEqual([1, 10, 2]);
    expect(aggregate(points, 'max').map((p) => p.y)).toEqual([5, 10, 2]);
  });

  it('groups equal dates and keeps numbers apart from their text', () => {
    const day = () => new Date('2024-01-01T00:00:00Z');
    expect(
      aggregate(
        [
          { x: day(), y: 1 },
          { x: day(), y: 2 },
        ],
        'sum',
      ),
    ).toHaveLength(1);
    expect(
      aggregate(
        [
          { x: 1, y: 1 },
          { x: '1', y: 2 },
        ],
        'sum',
      ),
    ).toHaveLength(2);
  });

  it('aggregates the loaded rows of a result by the spec, counting non-NULL values', () => {
    const table = tableFromJSON([
      { k: 'x', v: 1 },
      { k: 'y', v: null },
      { k: 'x', v: 4 },
      { k: 'y', v: 2 },
    ]);
    const types = ['VARCHAR', 'INTEGER'];
    const data = (agg: 'none' | 'count' | 'avg') =>
      chartData(table, types, { type: 'bar', x: 0, y: 1, series: null, agg }).points;
    expect(data('avg')).toEqual([
      { x: 'x', y: 2.5 },
      { x: 'y', y: 2 },
    ]);
    expect(data('count').map((p) => p.y)).toEqual([2, 1]);
    // No aggregation: one bar segment per row (Plot stacks them).
    expect(data('none')).toHaveLength(3);
    const rows = chartData(table, types, { type: 'bar', x: 0, y: -1, series: null, agg: 'count' });
    expect(rows.points.map((p) => p.y)).toEqual([2, 2]);
  });
});

describe('chartData', () => {
  it('sums repeated bar categories in result order and caps their number', () => {
    const table = tableFromJSON([
      { k: 'b', v: 1 },
      { k: 'a', v: 2 },
      { k: 'b', v: 3 },
      { k: null, v: 4 },
    ]);
    const spec = pickChart(['VARCHAR', 'INTEGER'])!;
    expect(chartData(table, ['VARCHAR', 'INTEGER'], spec)).toEqual({
      points: [
        { x: 'b', y: 4 },
        { x: 'a', y: 2 },
      ],
      note: null,
    });
    const many = tableFromJSON(Array.from({ length: 60 }, (_, i) => ({ k: `c${i}`, v: i })));
    expect(chartData(many, ['VARCHAR', 'INTEGER'], spec).note).toBe('first 50 of 60 categories');
  });

  it('turns DuckDB timestamps into Dates and sorts a line by time', () => {
    const table = tableFromJSON([
      { t: '2024-01-03', v: 3 },
      { t: '2024-01-01', v: 1 },
    ]);
    const spec = pickChart(['DATE', 'INTEGER'])!;
    const { points } = chartData(table, ['DATE', 'INTEGER'], spec);
    expect(points.map((p) => (p.x as Date).toISOString())).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-01-03T00:00:00.000Z',
    ]);
  });

  it('parses the timestamp forms DuckDB prints', () => {
    expect(toDate('2024-05-06 07:08:09')?.toISOString()).toBe('2024-05-06T07:08:09.000Z');
    expect(toDate('2024-05-06 07:08:09.123456')?.toISOString()).toBe('2024-05-06T07:08:09.123Z');
    expect(toDate('2024-05-06 07:08:09+00')?.toISOString()).toBe('2024-05-06T07:08:09.000Z');
    expect(toDate('2024-05-06 07:08:09+02')?.toISOString()).toBe('2024-05-06T05:08:09.000Z');
    expect(toDate('not a date')).toBeNull();
    expect(toDate(5)).toBeNull();
  });
});

describe('bar labels', () => {
  it('cuts long category names in the middle, keeping the ends that tell them apart', () => {
    expect(shortLabel('customer')).toBe('customer');
    const long = 'a category name far too long for an axis 11';
    expect(shortLabel(long)).toHaveLength(24);
    expect(shortLabel(long)).toBe('a category …r an axis 11');
    expect(shortLabel(long.replace('11', '12'))).not.toBe(shortLabel(long));
  });

  it('leaves room under slanted labels for the axis title', () => {
    // Upright labels: one line of text whatever its width, then the title.
    expect(bottomMargin(200, 0)).toBe(bottomMargin(20, 0));
    expect(bottomMargin(200, 0)).toBeLessThan(50);
    // Slanted labels reach down by width · sin(angle); the title goes below them, not across.
    const margin = bottomMargin(150, -35);
    expect(margin).toBeGreaterThan(6 + 3 + 150 * Math.sin((35 * Math.PI) / 180) + 11);
    expect(bottomMargin(60, -35)).toBeLessThan(margin);
  });
});
