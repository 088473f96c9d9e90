// Cell kinds and display text for the grid, from DuckDB type names and exact JSON values.
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  columnKind,
  estimateWidths,
  fitWidths,
  rowNumberWidth,
  toCell,
  valueText,
  windowCells,
} from './cells.ts';

describe('grid cells', () => {
  it('classifies DuckDB types', () => {
    expect(columnKind('BIGINT')).toBe('number');
    expect(columnKind('DECIMAL(18,3)')).toBe('number');
    expect(columnKind('TIMESTAMP WITH TIME ZONE')).toBe('temporal');
    expect(columnKind('DATE')).toBe('temporal');
    expect(columnKind('INTEGER[]')).toBe('nested');
    expect(columnKind('STRUCT(a INTEGER)[]')).toBe('nested');
    expect(columnKind('STRUCT(a INTEGER, b VARCHAR)')).toBe('nested');
    expect(columnKind('MAP(VARCHAR, INTEGER)')).toBe('nested');
    expect(columnKind('BOOLEAN')).toBe('boolean');
    expect(columnKind('VARCHAR')).toBe('text');
    expect(columnKind('BLOB')).toBe('binary');
  });

  it('shows a BLOB (base64 from the engine) as its size', () => {
    expect(toCell(btoa('\xde\xad\xbe\xef'), 'binary')).toEqual({ kind: 'binary', text: 'BLOB 4 bytes' });
    expect(toCell(btoa('x'.repeat(1229)), 'binary')).toEqual({ kind: 'binary', text: 'BLOB 1.2 KiB' });
  });

  it('keeps NULL distinct from the text "NULL" and shows nested values compactly', () => {
    expect(toCell(null)).toEqual({ kind: 'null' });
    expect(toCell('NULL', 'text')).toEqual({ kind: 'text', text: 'NULL' });
    expect(toCell(3, 'number')).toEqual({ kind: 'number', text: '3' });
    expect(toCell('12.50', 'number')).toEqual({ kind: 'number', text: '12.50' });
    expect(toCell('2024-01-02 03:04:05', 'temporal')).toEqual({
      kind: 'temporal',
      text: '2024-01-02 03:04:05',
    });
    expect(toCell({ a: 1, b: ['x', null] }, 'nested')).toEqual({
      kind: 'nested',
      text: "{a: 1, b: ['x', NULL]}",
      summary: '2 fields',
      value: { a: 1, b: ['x', null] },
    });
    expect(toCell([1, 2, 3], 'nested')).toMatchObject({ text: '[1, 2, 3]', summary: '3 items' });
  });

  it('copies values as plain text, nested ones as JSON', () => {
    expect(valueText(null)).toBe('');
    expect(valueText('a\tb')).toBe('a\tb');
    expect(valueText(1.5)).toBe('1.5');
    expect(valueText({ a: [1] })).toBe('{"a":[1]}');
  });

  it('converts only the requested window, in sorted order when given one', () => {
    const table = tableFromArrays({ n: Int32Array.from([10, 20, 30, 40]), s: ['a', 'b', 'c', 'd'] });
    expect(windowCells(table, 1, 3, ['number', 'text'])).toEqual([
      [
        { kind: 'number', text: '20' },
        { kind: 'text', text: 'b' },
      ],
      [
        { kind: 'number', text: '30' },
        { kind: 'text', text: 'c' },
      ],
    ]);
    const order = Uint32Array.from([3, 2, 1, 0]);
    expect(windowCells(table, 0, 2, ['number', 'text'], order).map((r) => r[1])).toEqual([
      { kind: 'text', text: 'd' },
      { kind: 'text', text: 'c' },
    ]);
  });

  it('sizes columns from the header and a sample, within bounds', () => {
    const [narrow, wide] = estimateWidths(
      ['id', 'description'],
      ['INTEGER', 'VARCHAR'],
      [
        [
          { kind: 'number', text: '1' },
          { kind: 'text', text: 'x'.repeat(500) },
        ],
      ],
    );
    expect(narrow).toBeLessThan(100);
    expect(wide).toBeLessThanOrEqual(Math.round(48 * 7.3 + 22));
  });

  it('gives the room a narrow result leaves to its data columns, never to the row numbers', () => {
    // One column in a 1,000 px grid: it takes everything the row numbers do not.
    expect(fitWidths([80], 952)).toEqual([952]);
    // Spread in proportion, whole pixels, summing exactly to the room.
    const spread = fitWidths([100, 300], 801);
    expect(spread.reduce((a, b) => a + b, 0)).toBe(801);
    expect(spread[1]! / spread[0]!).toBeCloseTo(3, 1);
    // Wider than the room: unchanged (the grid scrolls sideways).
    expect(fitWidths([400, 500], 600)).toEqual([400, 500]);
    expect(fitWidths([], 600)).toEqual([]);
  });

  it('leaves columns the user sized alone while another column can take the spare width', () => {
    expect(fitWidths([100, 300, 50], 1000, [true, false, false])).toEqual([100, 772, 128]);
    // All sized by the user: the spare still has to go somewhere.
    expect(fitWidths([100, 100], 400, [true, true])).toEqual([200, 200]);
    expect(fitWidths([500, 100], 400, [true, false])).toEqual([500, 100]);
  });

  it('sizes the row-number column for the largest row number', () => {
    expect(rowNumberWidth(5)).toBe(48);
    expect(rowNumberWidth(100_000)).toBeGreaterThan(6 * 7.3);
    expect(rowNumberWidth(100_000)).toBeGreaterThan(rowNumberWidth(999));
  });
});
