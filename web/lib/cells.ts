// Display text for result cells: exact values from the engine's converter, NULL kept distinct from text.
import type { Table } from 'apache-arrow';
import { tableToArrays, type JsonValue } from '../../worker/values.ts';

export type Cell = { kind: 'null' } | { kind: 'number'; text: string } | { kind: 'text'; text: string };

export function toCell(value: JsonValue): Cell {
  if (value === null) return { kind: 'null' };
  if (typeof value === 'number') return { kind: 'number', text: String(value) };
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (typeof value === 'boolean') return { kind: 'text', text: String(value) };
  return { kind: 'text', text: JSON.stringify(value) };
}

/** Converts only the rows on screen; an Arrow slice is zero-copy, so scrolling a 1M-row result stays cheap. */
export function windowCells(table: Table, start: number, end: number): Cell[][] {
  return tableToArrays(table.slice(start, end)).map((row) => row.map(toCell));
}

export function isNumericType(type: string | undefined): boolean {
  return !!type && /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/.test(type);
}
