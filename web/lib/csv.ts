// RFC 4180 CSV of an Arrow result: CRLF records, fields quoted when they hold a comma, quote, CR or LF.
import type { Table } from 'apache-arrow';
import { columnToJson, type JsonValue } from '../../worker/values.ts';
import { csvField, valueText } from '../../common/text.ts';

export { csvField };

/** The whole result (in `order` when the grid is sorted), with a header line. */
export function toCsv(table: Table, columns: string[], order?: Uint32Array | null): string {
  const data = columns.map((_, i) => {
    const vector = table.getChildAt(i);
    return vector ? columnToJson(vector) : [];
  });
  const lines = [columns.map(csvField).join(',')];
  for (let i = 0; i < table.numRows; i++) {
    const r = order ? order[i]! : i;
    lines.push(data.map((col) => csvField(col[r] ?? null)).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Tab-separated text for pasting rows into a spreadsheet; tabs and newlines inside values become spaces. */
export function toTsv(rows: JsonValue[][]): string {
  return rows.map((row) => row.map((v) => valueText(v).replace(/[\t\r\n]+/g, ' ')).join('\t')).join('\n');
}
