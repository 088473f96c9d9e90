// Fixed-width native DuckDB vectors straight into Arrow buffers: one copy of the column's memory, no JS value per row.
import { DuckDBTypeId, type DuckDBDecimalType, type DuckDBType, type DuckDBVector } from '@duckdb/node-api';
import { BufferType, Data, type DataType } from 'apache-arrow';

/**
 * What node-api's vector classes hold over DuckDB's own memory: `items` (a typed array) or `dataView`, and the
 * validity mask as 64-bit words. Private in its typings, so `vectorMemory` checks the shape and the caller
 * falls back to reading values when it differs (native-raw.test.ts fails first if an upgrade changes it).
 */
interface VectorInternals {
  items?: unknown;
  dataView?: unknown;
  validity?: { data?: unknown; offset?: unknown };
}

export interface VectorMemory {
  /** The column's values, DuckDB's layout; a view over memory DuckDB owns until the chunk is released. */
  bytes: Uint8Array;
  /** DuckDB's validity mask (bit i of word i/64, least significant first), or null when every row is valid. */
  valid: Uint8Array | null;
}

export function vectorMemory(vector: DuckDBVector): VectorMemory | null {
  const inner = vector as unknown as VectorInternals;
  const view = inner.items ?? inner.dataView;
  const validity = inner.validity;
  if (!ArrayBuffer.isView(view) || !validity || validity.offset !== 0) return null;
  const mask = validity.data;
  if (mask !== null && !(mask instanceof BigUint64Array)) return null;
  return {
    bytes: new Uint8Array(view.buffer, view.byteOffset, view.byteLength),
    valid: mask === null ? null : new Uint8Array(mask.buffer, mask.byteOffset, mask.byteLength),
  };
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v; v >>= 1) n += v & 1;
  return n;
});

/**
 * Arrow's validity bitmap is DuckDB's mask read as bytes (both least significant bit first). Bits past the last
 * row are cleared, and a column without nulls gets no bitmap, as the value-by-value builders leave it.
 */
function bitmap(valid: Uint8Array | null, length: number): { nullBitmap?: Uint8Array; nullCount: number } {
  if (!valid) return { nullCount: 0 };
  const bytes = valid.slice(0, (length + 7) >> 3);
  if (length & 7) bytes[bytes.length - 1]! &= (1 << (length & 7)) - 1;
  let set = 0;
  for (const b of bytes) set += POPCOUNT[b]!;
  const nullCount = length - set;
  return nullCount === 0 ? { nullCount } : { nullBitmap: bytes, nullCount };
}

/** Bytes per value of the types whose DuckDB layout is already Arrow's (DuckDB-WASM's Arrow types for them). */
const SAME_LAYOUT: Partial<Record<DuckDBTypeId, number>> = {
  [DuckDBTypeId.TINYINT]: 1,
  [DuckDBTypeId.UTINYINT]: 1,
  [DuckDBTypeId.SMALLINT]: 2,
  [DuckDBTypeId.USMALLINT]: 2,
  [DuckDBTypeId.INTEGER]: 4,
  [DuckDBTypeId.UINTEGER]: 4,
  [DuckDBTypeId.FLOAT]: 4,
  [DuckDBTypeId.DATE]: 4,
  [DuckDBTypeId.BIGINT]: 8,
  [DuckDBTypeId.UBIGINT]: 8,
  [DuckDBTypeId.DOUBLE]: 8,
  [DuckDBTypeId.TIME]: 8,
  [DuckDBTypeId.TIMESTAMP]: 8,
  [DuckDBTypeId.TIMESTAMP_TZ]: 8,
  [DuckDBTypeId.TIMESTAMP_S]: 8,
  [DuckDBTypeId.TIMESTAMP_MS]: 8,
  [DuckDBTypeId.TIMESTAMP_NS]: 8,
  // HUGEINT is {lower uint64, upper int64}: Decimal128's little-endian two's complement.
  [DuckDBTypeId.HUGEINT]: 16,
};

/** A DECIMAL stored in 2, 4 or 8 bytes, sign-extended to Decimal128's four 32-bit words. */
function widenDecimal(bytes: Uint8Array, length: number, width: 2 | 4 | 8): Uint32Array {
  const out = new Int32Array(length * 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < length; i++) {
    const low = width === 2 ? view.getInt16(i * 2, true) : view.getInt32(i * width, true);
    const high = width === 8 ? view.getInt32(i * 8 + 4, true) : low < 0 ? -1 : 0;
    const sign = high < 0 ? -1 : 0;
    out[i * 4] = low;
    out[i * 4 + 1] = high;
    out[i * 4 + 2] = sign;
    out[i * 4 + 3] = sign;
  }
  return new Uint32Array(out.buffer);
}

function packBooleans(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (bytes[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** The column as Arrow data of `type` straight from DuckDB's memory, or null when it needs value-by-value reading. */
export function rawData(duck: DuckDBType, type: DataType, vector: DuckDBVector, length: number): Data | null {
  const width =
    duck.typeId === DuckDBTypeId.DECIMAL
      ? decimalWidth(duck as DuckDBDecimalType)
      : duck.typeId === DuckDBTypeId.BOOLEAN
        ? 1
        : SAME_LAYOUT[duck.typeId];
  if (width === undefined) return null;
  const memory = vectorMemory(vector);
  if (!memory || memory.bytes.byteLength < length * width) return null;
  const bytes = memory.bytes.subarray(0, length * width);
  let values: ArrayBufferView;
  if (duck.typeId === DuckDBTypeId.BOOLEAN) values = packBooleans(bytes, length);
  else if (duck.typeId === DuckDBTypeId.DECIMAL && width < 16)
    values = widenDecimal(bytes, length, width as 2 | 4 | 8);
  else {
    const Typed = (type as DataType & { ArrayType: new (buffer: ArrayBuffer) => ArrayBufferView }).ArrayType;
    values = new Typed(bytes.slice().buffer);
  }
  const { nullBitmap, nullCount } = bitmap(memory.valid, length);
  return new Data(type, 0, length, nullCount, {
    [BufferType.DATA]: values,
    [BufferType.VALIDITY]: nullBitmap,
  });
}

/** DuckDB's storage width for a DECIMAL of this precision. */
function decimalWidth({ width }: DuckDBDecimalType): 2 | 4 | 8 | 16 {
  return width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16;
}
