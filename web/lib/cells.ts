// Display text for result cells: exact values from the engine's converter, NULL kept distinct from text.
import type { Table } from 'apache-arrow';
import { tableToArrays, type JsonValue } from '../../worker/values.ts';
import { valueText } from '../../common/text.ts';
import { base64Size } from './bytes.ts';
import { bytes } from './time.ts';

/** How a column's values are shown, sorted and charted, from its DuckDB type name. */
export type ColumnKind = 'number' | 'temporal' | 'boolean' | 'nested' | 'binary' | 'text';

export type Cell =
  | { kind: 'null' }
  /** A `binary` cell (BLOB) shows its size; its bytes (base64 from the engine) open in the cell detail. */
  | { kind: 'number' | 'temporal' | 'boolean' | 'binary' | 'text'; text: string }
  | { kind: 'nested'; text: string; summary: string; value: JsonValue };

export function isNumericType(type: string | undefined): boolean {
  return !!type && /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/.test(type);
}

export function columnKind(type: string | undefined): ColumnKind {
  if (!type) return 'text';
  // LIST types end in [] whatever their element; STRUCT/MAP/UNION names start with the kind.
  if (/\[\d*\]$/.test(type) || /^(STRUCT|MAP|UNION)\(/.test(type)) return 'nested';
  if (isNumericType(type)) return 'number';
  if (/^(TIMESTAMP|DATE|TIME)/.test(type)) return 'temporal';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'BLOB') return 'binary';
  return 'text';
}

/** The plain text of a value, as copied to the clipboard or written to CSV (nested values as JSON). */
export { valueText };

function summarize(value: JsonValue): string {
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value !== null && typeof value === 'object') {
    const n = Object.keys(value).length;
    return `${n} field${n === 1 ? '' : 's'}`;
  }
  return '';
}

/** Compact one-line JSON with a space after separators, the way DuckDB's shell prints nested values. */
function compact(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(compact).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${compact(v)}`)
      .join(', ')}}`;
  }
  if (value === null) return 'NULL';
  return typeof value === 'string' ? `'${value}'` : String(value);
}

export function toCell(value: JsonValue, kind: ColumnKind = 'text'): Cell {
  if (value === null) return { kind: 'null' };
  if (typeof value === 'object')
    return { kind: 'nested', text: compact(value), summary: summarize(value), value };
  if (typeof value === 'number') return { kind: 'number', text: String(value) };
  if (typeof value === 'boolean') return { kind: 'boolean', text: String(value) };
  if (kind === 'binary') return { kind: 'binary', text: `BLOB ${bytes(base64Size(value))}` };
  return { kind: kind === 'nested' ? 'text' : kind, text: value };
}

/** Rows `start..end` of the table, or of its `order` permutation when the grid is sorted. */
export function windowRows(
  table: Table,
  start: number,
  end: number,
  order?: Uint32Array | null,
): JsonValue[][] {
  if (!order) return tableToArrays(table.slice(start, end));
  const rows: JsonValue[][] = [];
  // An Arrow slice is zero-copy, so gathering ~50 scattered rows per frame stays cheap.
  for (let i = start; i < end && i < order.length; i++)
    rows.push(tableToArrays(table.slice(order[i]!, order[i]! + 1))[0]!);
  return rows;
}

/** Converts only the rows on screen, so scrolling a 1M-row result stays cheap. */
export function windowCells(
  table: Table,
  start: number,
  end: number,
  kinds: ColumnKind[] = [],
  order?: Uint32Array | null,
): Cell[][] {
  return windowRows(table, start, end, order).map((row) => row.map((v, c) => toCell(v, kinds[c])));
}

const CHAR_PX = 7.3;
const PAD_PX = 22;

/** Fixed column widths from the header and a sample of rows, so columns do not jump while scrolling. */
export function estimateWidths(names: string[], types: string[], sample: Cell[][]): number[] {
  return names.map((name, c) => {
    let chars = Math.max(name.length + 2, Math.ceil((types[c]?.length ?? 0) * 0.8));
    for (const row of sample) {
      const cell = row[c];
      const len =
        !cell || cell.kind === 'null' ? 4 : cell.kind === 'nested' ? cell.text.length + 4 : cell.text.length;
      if (len > chars) chars = len;
    }
    return Math.round(Math.min(Math.max(chars, 4), 48) * CHAR_PX + PAD_PX);
  });
}

/**
 * Column widths filling `room` pixels: a result narrower than the grid spreads the spare width over its data
 * columns in proportion (whole pixels), so a table-layout never hands it to the row-number column. Columns
 * marked `fixed` (sized by the user) keep their width while any other column can take the spare.
 */
export function fitWidths(widths: number[], room: number, fixed: boolean[] = []): number[] {
  const total = widths.reduce((a, b) => a + b, 0);
  const free = widths.map((_, i) => !fixed[i]);
  if (!free.includes(true)) free.fill(true);
  const flexible = widths.reduce((a, w, i) => (free[i] ? a + w : a), 0);
  if (total === 0 || total >= room || flexible === 0) return widths;
  const extra = room - total;
  const fitted = widths.map((w, i) => (free[i] ? w + Math.floor((w * extra) / flexible) : w));
  let spare = room - fitted.reduce((a, b) => a + b, 0);
  for (let i = 0; spare > 0; i = (i + 1) % fitted.length) {
    if (!free[i]) continue;
    fitted[i]!++;
    spare--;
  }
  return fitted;
}

/** The row-number column: wide enough for the last row's number. */
export function rowNumberWidth(rows: number): number {
  return Math.max(48, Math.ceil(String(rows).length * CHAR_PX + 20));
}
