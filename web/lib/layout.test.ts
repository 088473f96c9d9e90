// Stored pane sizes and column widths: clamped to their bounds, malformed entries dropped, the widths bounded.
import { describe, expect, it } from 'vitest';
import { clamp, COLUMN, EDITOR, layoutJson, readLayout, rememberWidth, SIDEBAR } from './layout.ts';

describe('layout store', () => {
  it('clamps sizes to their bounds and falls back to the initial value', () => {
    expect(clamp(50, SIDEBAR)).toBe(SIDEBAR.min);
    expect(clamp(5000, SIDEBAR)).toBe(SIDEBAR.max);
    expect(clamp(300.6, SIDEBAR)).toBe(301);
    expect(clamp('300', SIDEBAR)).toBe(SIDEBAR.initial);
    expect(clamp(Number.NaN, EDITOR)).toBe(EDITOR.initial);
    expect(clamp(Infinity, EDITOR)).toBe(EDITOR.initial);
  });

  it('keeps the newest column widths, at most the limit, whatever the names', () => {
    let columns = new Map<string, number>();
    for (const name of ['a', '1', 'b', '2']) columns = rememberWidth(columns, name, 100, 3);
    expect([...columns.keys()]).toEqual(['1', 'b', '2']);
    // Resizing again makes a name the newest, so it outlives older ones.
    columns = rememberWidth(columns, '1', 150, 3);
    columns = rememberWidth(columns, 'c', 100, 3);
    expect([...columns]).toEqual([
      ['2', 100],
      ['1', 150],
      ['c', 100],
    ]);
    expect(rememberWidth(columns, 'c', 1, 3).get('c')).toBe(COLUMN.min);
    expect(rememberWidth(columns, 'c', null, 3).has('c')).toBe(false);
  });

  it('reads back what it wrote, and survives anything else in storage', () => {
    const layout = {
      sidebar: 320,
      editor: 50,
      columns: new Map([
        ['10', 90],
        ['email', 300],
      ]),
    };
    expect(readLayout(JSON.parse(layoutJson(layout)))).toEqual(layout);
    expect(readLayout(null)).toEqual({ sidebar: 280, editor: 38, columns: new Map() });
    const odd = readLayout({
      sidebar: 10_000,
      editor: -4,
      columns: [['a', 'wide'], 'b', ['c', 1e9], [3, 4]],
    });
    expect(odd).toEqual({ sidebar: SIDEBAR.max, editor: EDITOR.min, columns: new Map([['c', COLUMN.max]]) });
    const many = { columns: Array.from({ length: 500 }, (_, i) => [`c${i}`, 100]) };
    expect([...readLayout(many).columns.keys()].at(0)).toBe('c300');
  });
});
