// In-memory sort orders over Arrow columns: numbers, strings, NULLs last, stable ties.
import { tableFromArrays, tableFromJSON } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { nextSort, sortOrder } from './sort.ts';

describe('sortOrder', () => {
  const table = tableFromJSON([
    { n: 3, s: 'b' },
    { n: null, s: 'a' },
    { n: 10, s: 'B' },
    { n: 3, s: null },
    { n: -1, s: 'ab' },
  ]);

  it('sorts numbers numerically with NULLs last in both directions, keeping ties in result order', () => {
    expect([...sortOrder(table, { column: 0, direction: 'asc' }, 'number')]).toEqual([4, 0, 3, 2, 1]);
    expect([...sortOrder(table, { column: 0, direction: 'desc' }, 'number')]).toEqual([2, 0, 3, 4, 1]);
  });

  it('sorts strings by code unit, like DuckDB’s binary collation', () => {
    expect([...sortOrder(table, { column: 1, direction: 'asc' }, 'text')]).toEqual([2, 1, 4, 0, 3]);
  });

  it('sorts 100k rows', () => {
    const big = tableFromArrays({
      v: Float64Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 100_003),
    });
    const order = sortOrder(big, { column: 0, direction: 'asc' }, 'number');
    const values = big.getChildAt(0)!;
    expect(values.get(order[0]!)).toBe(0);
    let sorted = true;
    for (let i = 1; i < order.length; i++)
      sorted &&= (values.get(order[i]!) as number) >= (values.get(order[i - 1]!) as number);
    expect(sorted).toBe(true);
    expect(new Set(order).size).toBe(100_000);
  });

  it('cycles ascending, descending, unsorted', () => {
    expect(nextSort(null, 2)).toEqual({ column: 2, direction: 'asc' });
    expect(nextSort({ column: 2, direction: 'asc' }, 2)).toEqual({ column: 2, direction: 'desc' });
    expect(nextSort({ column: 2, direction: 'desc' }, 2)).toBeNull();
    expect(nextSort({ column: 2, direction: 'desc' }, 1)).toEqual({ column: 1, direction: 'asc' });
  });
});
