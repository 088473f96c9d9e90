// In-memory sorting of an Arrow result: a row permutation, so the table itself is never copied.
import type { Table } from 'apache-arrow';
import { columnToJson, type JsonValue } from '../../worker/values.ts';
import type { ColumnKind } from './cells.ts';

export type SortDirection = 'asc' | 'desc';

export interface SortState {
  column: number;
  direction: SortDirection;
}

type Key = number | string;

function keyOf(value: JsonValue, kind: ColumnKind): Key {
  if (kind === 'number') {
    // Exact decimals and huge integers arrive as strings; Number() keeps their order for display sorting.
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isNaN(n) ? Number.POSITIVE_INFINITY : n;
  }
  if (kind === 'boolean') return value ? 1 : 0;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The row order for sorting by one column. NULLs go last in both directions, as DuckDB's default
 * `NULLS LAST` does; strings compare by code unit, like DuckDB's binary collation; ties keep result order.
 */
export function sortOrder(table: Table, sort: SortState, kind: ColumnKind): Uint32Array {
  const vector = table.getChildAt(sort.column);
  const n = table.numRows;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (!vector) return order;
  const values = columnToJson(vector);
  const keys: (Key | null)[] = values.map((v) => (v === null ? null : keyOf(v, kind)));
  const sign = sort.direction === 'asc' ? 1 : -1;
  return order.sort((a, b) => {
    const ka = keys[a]!;
    const kb = keys[b]!;
    if (ka === null || kb === null) return ka === kb ? a - b : ka === null ? 1 : -1;
    if (ka < kb) return -sign;
    if (ka > kb) return sign;
    return a - b;
  });
}

/** Header clicks cycle ascending → descending → unsorted. */
export function nextSort(current: SortState | null, column: number): SortState | null {
  if (!current || current.column !== column) return { column, direction: 'asc' };
  return current.direction === 'asc' ? { column, direction: 'desc' } : null;
}
