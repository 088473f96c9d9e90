// Arrow batches as an uncompressed Parquet file, so native DuckDB loads them with its own reader off our thread.
import { DataType, type Data, type Table } from 'apache-arrow';
import { Bytes, Thrift } from './parquet-bytes.ts';

/*
 * Only the types the sync's Stager builds are written (flat BOOLEAN, BIGINT, DOUBLE, DATE, TIMESTAMP, VARCHAR,
 * and one level of LIST of those); `parquetColumnType` returns null for anything else and the caller appends
 * instead. Each record batch is one row group, each column one PLAIN data page (v1): the bytes are Arrow's own
 * buffers re-laid, so no value is converted to text and none changes on the way.
 */

/** Arrow bytes above which a batch is appended instead: a Parquet page's size is a 32-bit number. */
export const PARQUET_MAX_BYTES = 1 << 30;

/** About how many bytes `table`'s buffers hold. */
export function arrowBytes(table: Table): number {
  let n = 0;
  for (const batch of table.batches) for (const child of batch.data.children) n += dataBytes(child);
  return n;
}

/** DuckDB's name for the type a column of `type` reads back as, or null when this writer does not take it. */
export function parquetColumnType(type: DataType): string | null {
  if (DataType.isList(type)) {
    const child = (type.children[0] as { type: DataType }).type;
    return DataType.isList(child) ? null : scalarName(child) && `${scalarName(child)}[]`;
  }
  return scalarName(type);
}

function scalarName(type: DataType): string | null {
  if (DataType.isBool(type)) return 'BOOLEAN';
  if (DataType.isUtf8(type)) return 'VARCHAR';
  if (DataType.isFloat(type)) return type.precision === 2 ? 'DOUBLE' : null;
  if (DataType.isInt(type)) return type.bitWidth === 64 && type.isSigned ? 'BIGINT' : null;
  if (DataType.isDate(type)) return type.unit === 0 ? 'DATE' : null;
  if (DataType.isTimestamp(type)) return type.unit === 2 && !type.timezone ? 'TIMESTAMP' : null;
  return null;
}

// Parquet's enums (parquet.thrift).
const PHYSICAL: Record<string, number> = {
  BOOLEAN: 0,
  DATE: 1,
  BIGINT: 2,
  TIMESTAMP: 2,
  DOUBLE: 5,
  VARCHAR: 6,
};
const CONVERTED: Record<string, number> = { VARCHAR: 0, DATE: 6, TIMESTAMP: 10 };
const CONVERTED_LIST = 3;
const OPTIONAL = 1;
const REPEATED = 2;
const PLAIN = 0;
const RLE = 3;

const valid = (data: Data, i: number): boolean =>
  data.nullCount === 0 ||
  !data.nullBitmap ||
  ((data.nullBitmap[(data.offset + i) >> 3]! >> ((data.offset + i) & 7)) & 1) === 1;

/** RLE/bit-packed hybrid runs of `levels` (bit width <= 8), each run RLE: levels repeat in long runs here. */
function writeLevels(out: Bytes, levels: Uint8Array, count: number): void {
  const start = out.at;
  out.u32(0);
  let i = 0;
  while (i < count) {
    const level = levels[i]!;
    let j = i + 1;
    while (j < count && levels[j] === level) j++;
    out.varint((j - i) * 2);
    out.byte(level);
    i = j;
  }
  out.view.setUint32(start, out.at - start - 4, true);
}

/** The non-null values of `data` rows [from, to) in PLAIN encoding. */
function writeValues(out: Bytes, data: Data, name: string, from: number, to: number): void {
  const at = data.offset;
  if (name === 'VARCHAR') {
    const offsets = data.valueOffsets;
    const bytes = data.values as Uint8Array;
    out.reserve((to - from) * 4 + (offsets[at + to]! - offsets[at + from]!));
    const buf = out.buf;
    const view = out.view;
    let pos = out.at;
    for (let i = from; i < to; i++) {
      if (!valid(data, i)) continue;
      const a = offsets[at + i]!;
      const b = offsets[at + i + 1]!;
      view.setUint32(pos, b - a, true);
      pos += 4;
      // Short strings copy faster byte by byte than through a subarray and set().
      if (b - a < 24) for (let k = a; k < b; k++) buf[pos++] = bytes[k]!;
      else {
        buf.set(bytes.subarray(a, b), pos);
        pos += b - a;
      }
    }
    out.at = pos;
    return;
  }
  if (name === 'BOOLEAN') {
    const bits = data.values as Uint8Array;
    out.reserve(Math.ceil((to - from) / 8));
    let n = 0;
    for (let i = from; i < to; i++) {
      if (!valid(data, i)) continue;
      if ((n & 7) === 0) out.buf[out.at + (n >> 3)] = 0;
      if ((bits[(at + i) >> 3]! >> ((at + i) & 7)) & 1) out.buf[out.at + (n >> 3)]! |= 1 << (n & 7);
      n++;
    }
    out.at += Math.ceil(n / 8);
    return;
  }
  const values = data.values as BigInt64Array | Float64Array | Int32Array;
  const width = values.BYTES_PER_ELEMENT;
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (data.nullCount === 0) {
    out.bytes(raw.subarray((at + from) * width, (at + to) * width));
    return;
  }
  out.reserve((to - from) * width);
  for (let i = from; i < to; i++) {
    if (valid(data, i)) out.bytes(raw.subarray((at + i) * width, (at + i + 1) * width));
  }
}

interface Chunk {
  /** Where the column chunk (its one page header) starts in the file. */
  offset: number;
  size: number;
  /** Level entries in the page (rows, or list items and empty/null lists). */
  values: number;
}

/** Bytes the PLAIN values of `data` rows [from, to) take. */
function valuesSize(data: Data, name: string, from: number, to: number): number {
  let count = to - from;
  let nullBytes = 0;
  if (data.nullCount !== 0) {
    for (let i = from; i < to; i++) {
      if (valid(data, i)) continue;
      count--;
      if (name === 'VARCHAR')
        nullBytes += data.valueOffsets[data.offset + i + 1]! - data.valueOffsets[data.offset + i]!;
    }
  }
  if (name === 'VARCHAR') {
    const offsets = data.valueOffsets;
    return count * 4 + offsets[data.offset + to]! - offsets[data.offset + from]! - nullBytes;
  }
  if (name === 'BOOLEAN') return Math.ceil(count / 8);
  return count * (data.values as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
}

/** One column of one batch as a data page, written straight into `out`; returns where it went. */
function writeColumn(out: Bytes, data: Data, name: string): Chunk {
  const levels = new Bytes(64);
  let entries = data.length;
  let values = { data, name, from: 0, to: data.length };
  if (name.endsWith('[]')) {
    const child = data.children[0]!;
    const offsets = data.valueOffsets;
    const rep: number[] = [];
    const def: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const a = offsets[data.offset + i]!;
      const b = offsets[data.offset + i + 1]!;
      if (!valid(data, i)) {
        rep.push(0);
        def.push(0);
      } else if (a === b) {
        rep.push(0);
        def.push(1);
      } else {
        for (let k = a; k < b; k++) {
          rep.push(k === a ? 0 : 1);
          def.push(valid(child, k) ? 3 : 2);
        }
      }
    }
    entries = rep.length;
    writeLevels(levels, Uint8Array.from(rep), entries);
    writeLevels(levels, Uint8Array.from(def), entries);
    const scalar = name.slice(0, -2);
    values = {
      data: child,
      name: scalar,
      from: offsets[data.offset]!,
      to: offsets[data.offset + data.length]!,
    };
  } else if (data.nullCount === 0) {
    // One RLE run of "defined".
    levels.u32(0);
    levels.varint(data.length * 2);
    levels.byte(1);
    levels.view.setUint32(0, levels.at - 4, true);
  } else {
    const defined = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) defined[i] = valid(data, i) ? 1 : 0;
    writeLevels(levels, defined, data.length);
  }
  const size = levels.at + valuesSize(values.data, values.name, values.from, values.to);
  const header = new Thrift();
  header.int(1, 0); // DATA_PAGE
  header.int(2, size);
  header.int(3, size);
  header.begin(5);
  header.int(1, entries);
  header.int(2, PLAIN);
  header.int(3, RLE);
  header.int(4, RLE);
  header.end();
  header.out.byte(0);
  const offset = out.at;
  out.bytes(header.out.result());
  out.bytes(levels.result());
  out.reserve(size);
  writeValues(out, values.data, values.name, values.from, values.to);
  return { offset, size: out.at - offset, values: entries };
}

const MAGIC = new TextEncoder().encode('PAR1');

function dataBytes(data: Data | undefined): number {
  // A batch's columns may be missing (an empty batch), and so may their buffers.
  if (!data) return 0;
  let n = (data.values as { byteLength?: number } | undefined)?.byteLength ?? 0;
  for (const child of data.children ?? []) n += dataBytes(child) + child.length * 4;
  return n;
}

/** `table` as a Parquet file whose columns are `c0`, `c1`, … in order, with the types `names` gives. */
export function tableToParquet(table: Table, names: readonly string[]): Uint8Array {
  // Arrow's buffers plus a length per value and the page headers: one allocation for the common case.
  let estimate = 4096;
  for (const batch of table.batches) {
    for (const child of batch.data.children) estimate += dataBytes(child) + child.length * 4 + 64;
  }
  const out = new Bytes(estimate);
  out.bytes(MAGIC);
  // An empty batch would be a page of zero values, which readers need not accept.
  const groups = table.batches
    .filter((batch) => batch.numRows > 0)
    .map((batch) => ({
      rows: batch.numRows,
      chunks: names.map((name, c) => writeColumn(out, batch.data.children[c]!, name)),
    }));
  const meta = new Thrift();
  meta.int(1, 1);
  let schemaSize = 1;
  for (const name of names) schemaSize += name.endsWith('[]') ? 3 : 1;
  meta.list(2, 12, schemaSize);
  meta.element();
  meta.string(4, 'schema');
  meta.int(5, names.length);
  meta.end();
  names.forEach((name, c) => {
    const scalar = name.endsWith('[]') ? name.slice(0, -2) : name;
    if (scalar !== name) {
      meta.element();
      meta.int(3, OPTIONAL);
      meta.string(4, `c${c}`);
      meta.int(5, 1);
      meta.int(6, CONVERTED_LIST);
      meta.end();
      meta.element();
      meta.int(3, REPEATED);
      meta.string(4, 'list');
      meta.int(5, 1);
      meta.end();
    }
    meta.element();
    meta.int(1, PHYSICAL[scalar]!);
    meta.int(3, OPTIONAL);
    meta.string(4, scalar === name ? `c${c}` : 'element');
    if (scalar in CONVERTED) meta.int(6, CONVERTED[scalar]!);
    meta.end();
  });
  meta.int(3, table.numRows, 6);
  meta.list(4, 12, groups.length);
  for (const group of groups) {
    meta.element();
    meta.list(1, 12, group.chunks.length);
    group.chunks.forEach((chunk, c) => {
      const name = names[c]!;
      const list = name.endsWith('[]');
      meta.element();
      meta.int(2, chunk.offset, 6);
      meta.begin(3);
      meta.int(1, PHYSICAL[list ? name.slice(0, -2) : name]!);
      meta.list(2, 5, 2);
      meta.listInt(PLAIN);
      meta.listInt(RLE);
      meta.list(3, 8, list ? 3 : 1);
      meta.listString(`c${c}`);
      if (list) {
        meta.listString('list');
        meta.listString('element');
      }
      meta.int(4, 0); // UNCOMPRESSED
      meta.int(5, chunk.values, 6);
      meta.int(6, chunk.size, 6);
      meta.int(7, chunk.size, 6);
      meta.int(9, chunk.offset, 6);
      meta.end();
      meta.end();
    });
    meta.int(
      2,
      group.chunks.reduce((sum, chunk) => sum + chunk.size, 0),
      6,
    );
    meta.int(3, group.rows, 6);
    meta.end();
  }
  meta.out.byte(0);
  const footer = meta.out.result();
  out.bytes(footer);
  out.u32(footer.length);
  out.bytes(MAGIC);
  return out.result();
}
