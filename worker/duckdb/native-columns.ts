// Arrow layouts for native DuckDB's values, one builder per kind of column, each exactly as DuckDB-WASM lays it out.
import { DuckDBTypeId, type DuckDBEnumType, type DuckDBValue } from '@duckdb/node-api';
import {
  Binary,
  Bool,
  BufferType,
  Data,
  Decimal,
  Dictionary,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Interval,
  IntervalUnit,
  List,
  Map_,
  Struct,
  Uint16,
  Uint32,
  Uint8,
  Union,
  UnionMode,
  Utf8,
  makeData,
  makeVector,
  type DataType,
} from 'apache-arrow';
import { buildVector } from '../ingest/arrow.ts';

export type Values = readonly (DuckDBValue | null)[];

/** One column's Arrow type and how to lay out a run of its values. */
export interface Converter {
  readonly type: DataType;
  /** Field metadata DuckDB attaches (its opaque extension types). */
  readonly metadata?: Map<string, string>;
  data(values: Values): Data;
}

/** The object behind a non-null value of a given DuckDB type (node-api's value classes), read by field. */
type Obj = Record<string, unknown>;
export const field = <T>(value: DuckDBValue | null, name: string): T => (value as unknown as Obj)[name] as T;

function validity(values: Values): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  for (const v of values) if (v === null) nullCount++;
  if (nullCount === 0) return { nullBitmap: undefined, nullCount };
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) if (values[i] !== null) nullBitmap[i >> 3]! |= 1 << (i & 7);
  return { nullBitmap, nullCount };
}

type TypedArray =
  Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array;

/** Fixed-width data from its values buffer (one generic constructor call, where makeData has one overload per type). */
function fixedWidth(type: DataType, values: Values, data: TypedArray | BigInt64Array | BigUint64Array): Data {
  const { nullBitmap, nullCount } = validity(values);
  return new Data(type, 0, values.length, nullCount, {
    [BufferType.DATA]: data,
    [BufferType.VALIDITY]: nullBitmap,
  });
}

export function numbers(
  type: DataType,
  Typed: new (length: number) => TypedArray,
  read: (value: DuckDBValue) => number = (v) => v as number,
): Converter {
  return {
    type,
    data(values) {
      const data = new Typed(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v !== null) data[i] = read(v);
      }
      return fixedWidth(type, values, data);
    },
  };
}

export function bigints(
  type: DataType,
  read: (value: DuckDBValue) => bigint = (v) => v as bigint,
  unsigned = false,
): Converter {
  return {
    type,
    data(values) {
      const data = unsigned ? new BigUint64Array(values.length) : new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v !== null) data[i] = read(v);
      }
      return fixedWidth(type, values, data);
    },
  };
}

/** 128-bit two's complement, little-endian words: Arrow's Decimal128 layout (and DuckDB's HUGEINT). */
function words128(values: Values, read: (value: DuckDBValue) => bigint): Uint32Array {
  const data = new Uint32Array(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === null) continue;
    let bits = BigInt.asUintN(128, read(v));
    for (let w = 0; w < 4; w++, bits >>= 32n) data[i * 4 + w] = Number(bits & 0xffffffffn);
  }
  return data;
}

export function decimal(precision: number, scale: number, read: (value: DuckDBValue) => bigint): Converter {
  const type = new Decimal(scale, precision, 128);
  return {
    type,
    data: (values) =>
      makeData({ type, length: values.length, ...validity(values), data: words128(values, read) }),
  };
}

export const opaque = (typeName: string) =>
  new Map([
    ['ARROW:extension:metadata', JSON.stringify({ type_name: typeName, vendor_name: 'DuckDB' })],
    ['ARROW:extension:name', 'arrow.opaque'],
  ]);

/** UHUGEINT has no Arrow type; DuckDB sends its 16 little-endian bytes as an opaque extension. */
export function uhugeint(): Converter {
  const type = new FixedSizeBinary(16);
  return {
    type,
    metadata: opaque('uhugeint'),
    data: (values) =>
      makeData({
        type,
        length: values.length,
        ...validity(values),
        data: new Uint8Array(words128(values, (v) => v as bigint).buffer),
      }),
  };
}

export function binary(read: (value: DuckDBValue) => Uint8Array, metadata?: Map<string, string>): Converter {
  const type = new Binary();
  return {
    type,
    metadata,
    data(values) {
      const offsets = new Int32Array(values.length + 1);
      const parts: Uint8Array[] = [];
      let end = 0;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v !== null) {
          const bytes = read(v);
          parts.push(bytes);
          end += bytes.length;
        }
        offsets[i + 1] = end;
      }
      const data = new Uint8Array(end);
      let at = 0;
      for (const part of parts) {
        data.set(part, at);
        at += part.length;
      }
      return makeData({ type, length: values.length, ...validity(values), valueOffsets: offsets, data });
    },
  };
}

export function utf8(read: (value: DuckDBValue) => string = (v) => v as string): Converter {
  const type = new Utf8();
  return {
    type,
    data: (values) =>
      buildVector(
        values.map((v) => (v === null ? null : read(v))),
        'VARCHAR',
      ).data[0]!,
  };
}

/** DuckDB's BIGNUM bytes: a 3-byte header (sign, length), then the magnitude big-endian, all inverted when negative. */
export function bignumBytes(value: bigint): Uint8Array {
  const negative = value < 0n;
  const magnitude: number[] = [];
  for (let rest = negative ? -value : value; rest > 0n; rest >>= 8n) magnitude.unshift(Number(rest & 0xffn));
  if (magnitude.length === 0) magnitude.push(0);
  const header = negative ? ~(0x800000 | magnitude.length) : 0x800000 | magnitude.length;
  const out = new Uint8Array(3 + magnitude.length);
  out[0] = (header >> 16) & 0xff;
  out[1] = (header >> 8) & 0xff;
  out[2] = header & 0xff;
  magnitude.forEach((byte, i) => (out[3 + i] = negative ? ~byte & 0xff : byte));
  return out;
}

export function interval(): Converter {
  const type = new Interval(IntervalUnit.MONTH_DAY_NANO);
  return {
    type,
    data(values) {
      const data = new Int32Array(values.length * 4);
      const nanos = new BigInt64Array(data.buffer);
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v === null) continue;
        data[i * 4] = field<number>(v, 'months');
        data[i * 4 + 1] = field<number>(v, 'days');
        nanos[i * 2 + 1] = field<bigint>(v, 'micros') * 1000n;
      }
      const out = makeData({ type, length: values.length, ...validity(values), data });
      // apache-arrow 17 counts MONTH_DAY_NANO as 3 words (strideForType); it is 4, or IPC writing cuts it short.
      return Object.assign(out, { stride: 4 });
    },
  };
}

export function dictionary(duck: DuckDBEnumType, id: number): Converter {
  const indexType = { 1: new Uint8(), 2: new Uint16(), 4: new Uint32() }[
    duck.internalTypeId === DuckDBTypeId.UTINYINT ? 1 : duck.internalTypeId === DuckDBTypeId.USMALLINT ? 2 : 4
  ]!;
  const type = new Dictionary(new Utf8(), indexType, id, false);
  const words = makeVector(buildVector([...duck.values], 'VARCHAR').data[0]!);
  const Indices = indexType.ArrayType;
  return {
    type,
    data(values) {
      const data = new Indices(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v !== null) data[i] = duck.valueIndexes[v as string]!;
      }
      return makeData({ type, length: values.length, ...validity(values), data, dictionary: words });
    },
  };
}

export const childField = (name: string, child: Converter, nullable = true) =>
  new Field(name, child.type, nullable, child.metadata);

export function list(child: Converter): Converter {
  const type = new List(childField('l', child));
  return {
    type,
    data(values) {
      const offsets = new Int32Array(values.length + 1);
      const items: (DuckDBValue | null)[] = [];
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v !== null) for (const item of field<Values>(v, 'items')) items.push(item);
        offsets[i + 1] = items.length;
      }
      return makeData({
        type,
        length: values.length,
        ...validity(values),
        valueOffsets: offsets,
        child: child.data(items),
      });
    },
  };
}

export function array(child: Converter, size: number): Converter {
  const type = new FixedSizeList(size, childField('', child));
  return {
    type,
    data(values) {
      const items: (DuckDBValue | null)[] = [];
      for (const v of values) {
        if (v === null) for (let j = 0; j < size; j++) items.push(null);
        else items.push(...field<Values>(v, 'items'));
      }
      return makeData({ type, length: values.length, ...validity(values), child: child.data(items) });
    },
  };
}

export function struct(names: readonly string[], children: Converter[]): Converter {
  const type = new Struct(names.map((name, i) => childField(name, children[i]!)));
  return {
    type,
    data: (values) =>
      makeData({
        type,
        length: values.length,
        ...validity(values),
        children: children.map((child, i) =>
          child.data(
            values.map((v) =>
              v === null ? null : field<Record<string, DuckDBValue>>(v, 'entries')[names[i]!]!,
            ),
          ),
        ),
      }),
  };
}

export function map(key: Converter, value: Converter): Converter {
  const entries = new Struct([childField('key', key, false), childField('value', value)]);
  const type = new Map_(new Field('entries', entries, false), false);
  return {
    type,
    data(values) {
      const offsets = new Int32Array(values.length + 1);
      const keys: DuckDBValue[] = [];
      const vals: (DuckDBValue | null)[] = [];
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v !== null) {
          for (const entry of field<{ key: DuckDBValue; value: DuckDBValue }[]>(v, 'entries')) {
            keys.push(entry.key);
            vals.push(entry.value);
          }
        }
        offsets[i + 1] = keys.length;
      }
      const child = makeData({
        type: entries,
        length: keys.length,
        nullCount: 0,
        children: [key.data(keys), value.data(vals)],
      });
      return makeData({ type, length: values.length, ...validity(values), valueOffsets: offsets, child });
    },
  };
}

export function union(tags: readonly string[], members: Converter[]): Converter {
  const ids = tags.map((_, i) => i);
  const type = new Union(
    UnionMode.Sparse,
    ids,
    tags.map((tag, i) => childField(tag, members[i]!)),
  );
  return {
    type,
    data(values) {
      const typeIds = new Int8Array(values.length);
      values.forEach((v, i) => (typeIds[i] = v === null ? 0 : tags.indexOf(field<string>(v, 'tag'))));
      const children = members.map((member, m) =>
        member.data(
          values.map((v, i) => (v !== null && typeIds[i] === m ? field<DuckDBValue>(v, 'value') : null)),
        ),
      );
      return makeData({ type, length: values.length, nullCount: 0, typeIds, children });
    },
  };
}

export function bools(): Converter {
  const type = new Bool();
  return {
    type,
    data(values) {
      const data = new Uint8Array((values.length + 7) >> 3);
      for (let i = 0; i < values.length; i++) if (values[i] === true) data[i >> 3]! |= 1 << (i & 7);
      return makeData({ type, length: values.length, ...validity(values), data });
    },
  };
}
