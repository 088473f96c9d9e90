// Choosing a quick chart from column types, and the points it draws.
import { tableFromJSON } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bottomMargin, chartData, pickChart, shortLabel, toDate } from './chart.ts';

describe('pickChart', () => {
  it('picks bar for text + number, line for time + number, scatter for two numbers', () => {
    expect(pickChart(['VARCHAR', 'BIGINT'])).toEqual({ type: 'bar', x: 0, y: 1, series: null });
    expect(pickChart(['DATE', 'DOUBLE'])).toEqual({ type: 'line', x: 0, y: 1, series: null });
    expect(pickChart(['TIMESTAMP', 'VARCHAR', 'BIGINT'])).toEqual({ type: 'line', x: 0, y: 2, series: 1 });
    expect(pickChart(['DOUBLE', 'INTEGER'])).toEqual({ type: 'scatter', x: 0, y: 1, series: null });
    expect(pickChart(['INTEGER'])).toEqual({ type: 'bar', x: -1, y: 0, series: null });
    expect(pickChart(['VARCHAR', 'DATE'])).toBeNull();
  });

  it('follows an override when the columns allow it', () => {
    expect(pickChart(['VARCHAR', 'BIGINT'], 'line')).toEqual({ type: 'line', x: 0, y: 1, series: null });
    expect(pickChart(['VARCHAR', 'BIGINT'], 'scatter')).toBeNull();
    expect(pickChart(['DATE', 'DOUBLE'], 'bar')).toEqual({ type: 'bar', x: 0, y: 1, series: null });
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
