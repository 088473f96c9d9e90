// The text export formats: CSV (RFC 4180), a JSON array and NDJSON, with values as `execute` renders them.
import type { Table } from 'apache-arrow';
import { csvField } from '../../common/text.ts';
import { columnToJson, tableToRows } from '../values.ts';
import type { Chunker } from './chunks.ts';

export interface Encoder {
  /** Encodes one batch of the result (the first is the schema alone, without rows). */
  write(batch: Table): Promise<void>;
  /** Writes what closes the file. */
  finish(): Promise<void>;
  /** Lets go of what the encoder holds after a failure or a cancel. */
  abort?(reason: unknown): void;
}

const utf8 = new TextEncoder();

/** A header line, then one CRLF record per row; NULL is an empty field, an empty string `""`. */
export function csvEncoder(out: Chunker): Encoder {
  let header = false;
  return {
    async write(batch) {
      const lines: string[] = [];
      if (!header) {
        header = true;
        lines.push(batch.schema.fields.map((f) => csvField(f.name)).join(','));
      }
      const columns = batch.schema.fields.map((_, i) => columnToJson(batch.getChildAt(i)!));
      for (let r = 0; r < batch.numRows; r++)
        lines.push(columns.map((c) => csvField(c[r] ?? null)).join(','));
      if (lines.length > 0) await out.write(utf8.encode(lines.join('\r\n') + '\r\n'));
    },
    async finish() {},
  };
}

/** One JSON object per line (`\n`), keys in column order. */
export function ndjsonEncoder(out: Chunker): Encoder {
  return {
    async write(batch) {
      if (batch.numRows === 0) return;
      const text = tableToRows(batch)
        .map((row) => JSON.stringify(row) + '\n')
        .join('');
      await out.write(utf8.encode(text));
    },
    async finish() {},
  };
}

/** A JSON array of row objects, one per line, so a large file still reads well in a pager. */
export function jsonEncoder(out: Chunker): Encoder {
  let first = true;
  return {
    async write(batch) {
      if (batch.numRows === 0) return;
      const rows = tableToRows(batch).map((row) => JSON.stringify(row));
      await out.write(utf8.encode((first ? '[\n' : ',\n') + rows.join(',\n')));
      first = false;
    },
    async finish() {
      await out.write(utf8.encode(first ? '[]\n' : '\n]\n'));
    },
  };
}
