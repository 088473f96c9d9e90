// Turns Arrow results into exact, JSON-safe values and DuckDB type names; pure, shared by the engine and the UI grid.
import {
  DataType,
  DateUnit,
  IntervalUnit,
  Type,
  tableToIPC,
  type Data,
  type Decimal,
  type Dictionary,
  type Field,
  type Table,
  type Time,
  type Timestamp,
  type Vector,
} from 'apache-arrow';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonRow = Record<string, JsonValue>;

const pad = (n: number | bigint, width = 2) => String(n).padStart(width, '0');

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function bigintToJson(value: bigint): number | string {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
}

function floatToJson(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** 128-bit little-endian two's complement words → bigint. */
function wordsToBigInt(words: ArrayLike<number>, offset: number, count: number): bigint {
  let result = 0n;
  for (let i = count - 1; i >= 0; i--) result = (result << 32n) | BigInt((words[offset + i] ?? 0) >>> 0);
  const bits = BigInt(count * 32);
  return result >= 1n << (bits - 1n) ? result - (1n << bits) : result;
}

export function formatDecimal(unscaled: bigint | number, scale: number): string {
  if (scale <= 0) return unscaled.toString();
  const negative = unscaled < 0;
  // A number here is a safe integer, whose toString has no exponent.
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

function formatDate(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const y = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function formatTimeOfDay(micros: bigint): string {
  const secondsTotal = micros / 1_000_000n;
  const fraction = micros % 1_000_000n;
  const h = secondsTotal / 3600n;
  const m = (secondsTotal % 3600n) / 60n;
  const s = secondsTotal % 60n;
  const base = `${pad(h)}:${pad(m)}:${pad(s)}`;
  return fraction === 0n ? base : `${base}.${pad(fraction, 6)}`;
}

const DAY_MICROS = 86_400_000_000n;

/** Microseconds since the epoch → `YYYY-MM-DD HH:MM:SS[.ffffff]`, as DuckDB prints it. */
export function formatTimestampMicros(micros: bigint): string {
  let days = micros / DAY_MICROS;
  let rest = micros % DAY_MICROS;
  if (rest < 0n) {
    rest += DAY_MICROS;
    days -= 1n;
  }
  return `${formatDate(Number(days) * 86_400_000)} ${formatTimeOfDay(rest)}`;
}

const UNIT_TO_MICROS: Record<number, (v: bigint) => bigint> = {
  0: (v) => v * 1_000_000n,
  1: (v) => v * 1_000n,
  2: (v) => v,
  3: (v) => v / 1_000n,
};

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function formatInterval(value: ArrayLike<number>): string {
  const months = value[0] ?? 0;
  const days = value[1] ?? 0;
  const nanos = wordsToBigInt(value, 2, 2);
  const parts: string[] = [];
  const years = Math.trunc(months / 12);
  const restMonths = months % 12;
  if (years) parts.push(`${years} year${Math.abs(years) === 1 ? '' : 's'}`);
  if (restMonths) parts.push(`${restMonths} month${Math.abs(restMonths) === 1 ? '' : 's'}`);
  if (days) parts.push(`${days} day${Math.abs(days) === 1 ? '' : 's'}`);
  if (nanos !== 0n || parts.length === 0) {
    const negative = nanos < 0n;
    const time = formatTimeOfDay((negative ? -nanos : nanos) / 1000n);
    parts.push(negative ? `-${time}` : time);
  }
  return parts.join(' ');
}

/** Converts a value returned by `Vector.get` for a field of `type`. */
export function toJsonValue(value: unknown, type: DataType): JsonValue {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case Type.Int:
    case Type.Duration:
      return typeof value === 'bigint' ? bigintToJson(value) : (value as number);
    case Type.Float:
      return floatToJson(value as number);
    case Type.Bool:
      return Boolean(value);
    case Type.Utf8:
    case Type.LargeUtf8:
      return value as string;
    case Type.Decimal: {
      const words = value as Uint32Array;
      return formatDecimal(wordsToBigInt(words, 0, words.length), (type as Decimal).scale);
    }
    case Type.Date:
      return formatDate(value instanceof Date ? value.getTime() : Number(value));
    case Type.Timestamp: {
      const ms = value instanceof Date ? value.getTime() : Number(value);
      const text = formatTimestampMicros(BigInt(Math.round(ms * 1000)));
      return (type as Timestamp).timezone ? `${text}+00` : text;
    }
    case Type.Time: {
      const unit = (type as Time).unit;
      const raw = typeof value === 'bigint' ? value : BigInt(Math.round(Number(value)));
      return formatTimeOfDay((UNIT_TO_MICROS[unit] ?? UNIT_TO_MICROS[2]!)(raw));
    }
    case Type.Interval:
      return formatInterval(value as ArrayLike<number>);
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return toBase64(value as Uint8Array);
    case Type.List:
    case Type.FixedSizeList: {
      const child = (type.children[0] as Field).type;
      return Array.from(value as Iterable<unknown>, (item) => toJsonValue(item, child));
    }
    case Type.Struct: {
      const row = value as Record<string, unknown>;
      const out: Record<string, JsonValue> = {};
      for (const field of type.children as Field[])
        out[field.name] = toJsonValue(row[field.name], field.type);
      return out;
    }
    case Type.Map: {
      const entry = (type.children[0] as Field).type.children as Field[];
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of value as Iterable<[unknown, unknown]>) {
        out[String(toJsonValue(k, entry[0]!.type))] = toJsonValue(v, entry[1]!.type);
      }
      return out;
    }
    case Type.Dictionary:
      return toJsonValue(value, (type as Dictionary).dictionary);
    case Type.Null:
      return null;
    default:
      return typeof value === 'bigint' ? bigintToJson(value) : String(value);
  }
}

/**
 * Converts one column. Timestamps are read from the raw buffer because `Vector.get` rounds them to
 * milliseconds, and DuckDB TIMESTAMP has microseconds.
 */
export function columnToJson(vector: Vector, limit = vector.length): JsonValue[] {
  const type = vector.type as DataType;
  const out: JsonValue[] = new Array(Math.min(limit, vector.length));
  if (DataType.isInterval(type)) return intervalColumn(vector, out);
  if (DataType.isUtf8(type)) {
    let row = 0;
    for (const data of vector.data) row = utf8Chunk(data, out, row);
    return out;
  }
  const read = directReader(type);
  if (read) return readDirect(vector, out, read);
  if (!DataType.isTimestamp(type)) {
    for (let i = 0; i < out.length; i++) out[i] = toJsonValue(vector.get(i), type);
    return out;
  }
  const toMicros = UNIT_TO_MICROS[type.unit] ?? UNIT_TO_MICROS[2]!;
  const suffix = type.timezone ? '+00' : '';
  let row = 0;
  for (const data of vector.data) {
    const values = data.values as BigInt64Array | Int32Array;
    for (let j = 0; j < data.length && row < out.length; j++, row++) {
      if (!data.getValid(j)) {
        out[row] = null;
        continue;
      }
      const raw = values instanceof BigInt64Array ? values[j]! : wordsToBigInt(values, j * 2, 2);
      out[row] = formatTimestampMicros(toMicros(raw)) + suffix;
    }
  }
  return out;
}

type DirectRead = (data: Data, j: number) => JsonValue;

const utf8Decoder = new TextDecoder();

/** A Decimal128 value: a plain number when it fits 53 bits (most do), the exact bigint otherwise. */
function decimalAt(words: Uint32Array, at: number): number | bigint {
  const high = words[at + 1]! | 0;
  const sign = high >> 31;
  if ((words[at + 2]! | 0) === sign && (words[at + 3]! | 0) === sign && high >= -0x100000 && high < 0x100000)
    return high * 0x1_0000_0000 + words[at]!;
  return wordsToBigInt(words, at, 4);
}

/**
 * Readers straight from a chunk's buffers for the common flat types, the same values `toJsonValue(get(i))`
 * gives: apache-arrow's per-value `get` (a visitor call and a chunk search each) dominated reading results.
 */
function directReader(type: DataType): DirectRead | null {
  if (DataType.isInt(type)) {
    return type.bitWidth === 64
      ? (data, j) => bigintToJson((data.values as BigInt64Array | BigUint64Array)[j]!)
      : (data, j) => (data.values as Int32Array)[j]!;
  }
  if (DataType.isFloat(type) && type.precision !== 0) {
    return (data, j) => floatToJson((data.values as Float64Array)[j]!);
  }
  if (DataType.isDecimal(type) && type.bitWidth === 128) {
    const { scale } = type;
    return (data, j) => formatDecimal(decimalAt(data.values as Uint32Array, j * 4), scale);
  }
  if (DataType.isDate(type) && type.unit === DateUnit.DAY) {
    return (data, j) => formatDate((data.values as Int32Array)[j]! * 86_400_000);
  }
  return null;
}

/** Strings of one chunk: an all-ASCII chunk (the common case) is decoded in one call and cut by its offsets. */
function utf8Chunk(data: Data, out: JsonValue[], row: number): number {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const from = offsets[0]!;
  const whole = utf8Decoder.decode(bytes.subarray(from, offsets[data.length]!));
  const ascii = whole.length === offsets[data.length]! - from;
  for (let j = 0; j < data.length && row < out.length; j++, row++) {
    if (!data.getValid(j)) out[row] = null;
    else if (ascii) out[row] = whole.slice(offsets[j]! - from, offsets[j + 1]! - from);
    else out[row] = utf8Decoder.decode(bytes.subarray(offsets[j]!, offsets[j + 1]!));
  }
  return row;
}

function readDirect(vector: Vector, out: JsonValue[], read: DirectRead): JsonValue[] {
  let row = 0;
  for (const data of vector.data) {
    for (let j = 0; j < data.length && row < out.length; j++, row++) {
      out[row] = data.getValid(j) ? read(data, j) : null;
    }
  }
  return out;
}

/** apache-arrow 17's `get` mangles MONTH_DAY_NANO intervals, so they are read as 4 raw int32 words. */
function intervalColumn(vector: Vector, out: JsonValue[]): JsonValue[] {
  let row = 0;
  for (const data of vector.data) {
    const values = data.values as Int32Array;
    const stride = values.length / Math.max(data.length, 1);
    for (let j = 0; j < data.length && row < out.length; j++, row++) {
      out[row] = data.getValid(j) ? formatInterval(values.subarray(j * stride, j * stride + stride)) : null;
    }
  }
  return out;
}

/**
 * apache-arrow 17 counts a MONTH_DAY_NANO interval as 3 int32 words (`strideForType`); it is 4. Slicing and
 * IPC writing then cut each value short (the nanoseconds' high word), so a re-encoded interval came back wrong.
 * Restores the 4-word stride on every such column, at the top level and inside STRUCTs, of data sliced from
 * row 0. Inside a LIST or MAP the IPC writer slices the child again by itself; that case stays apache-arrow's.
 */
function fixIntervalStride(data: Data): void {
  const type = data.type as DataType;
  if (DataType.isInterval(type) && type.unit === IntervalUnit.MONTH_DAY_NANO) {
    const values = data.values as Int32Array;
    Object.assign(data, {
      stride: 4,
      values: new Int32Array(values.buffer, values.byteOffset, data.length * 4),
    });
  } else if (DataType.isStruct(type)) {
    for (const child of data.children) fixIntervalStride(child);
  }
}

/** The first `rows` rows as an Arrow IPC stream (a truncated result), INTERVALs intact. */
export function headToIPC(table: Table, rows: number): Uint8Array {
  const head = table.slice(0, rows);
  for (const batch of head.batches) for (const child of batch.data.children) fixIntervalStride(child);
  return tableToIPC(head, 'stream');
}

/** Rows as objects keyed by column name (later duplicate names win, as in DuckDB's Python API). */
export function tableToRows(table: Table, limit = table.numRows): JsonRow[] {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((_, i) => columnToJson(table.getChildAt(i)!, limit));
  const count = Math.min(limit, table.numRows);
  const rows: JsonRow[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const row: JsonRow = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = columns[c]![r]!;
    rows[r] = row;
  }
  return rows;
}

export function tableToArrays(table: Table, limit = table.numRows): JsonValue[][] {
  const columns = table.schema.fields.map((_, i) => columnToJson(table.getChildAt(i)!, limit));
  const count = Math.min(limit, table.numRows);
  const rows: JsonValue[][] = new Array(count);
  for (let r = 0; r < count; r++) rows[r] = columns.map((col) => col[r]!);
  return rows;
}

const INT_NAMES: Record<string, string> = {
  true8: 'TINYINT',
  true16: 'SMALLINT',
  true32: 'INTEGER',
  true64: 'BIGINT',
  false8: 'UTINYINT',
  false16: 'USMALLINT',
  false32: 'UINTEGER',
  false64: 'UBIGINT',
};

/** The DuckDB type name for an Arrow type produced by DuckDB-WASM. */
export function duckTypeName(type: DataType): string {
  if (DataType.isInt(type)) return INT_NAMES[`${type.isSigned}${type.bitWidth}`] ?? 'BIGINT';
  if (DataType.isFloat(type)) return type.precision === 2 ? 'DOUBLE' : 'FLOAT';
  if (DataType.isDecimal(type)) {
    return type.scale === 0 && type.precision === 38 ? 'HUGEINT' : `DECIMAL(${type.precision},${type.scale})`;
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'VARCHAR';
  if (DataType.isBool(type)) return 'BOOLEAN';
  if (DataType.isDate(type)) return 'DATE';
  if (DataType.isTime(type)) return 'TIME';
  if (DataType.isTimestamp(type)) {
    if (type.timezone) return 'TIMESTAMP WITH TIME ZONE';
    return ['TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP', 'TIMESTAMP_NS'][type.unit] ?? 'TIMESTAMP';
  }
  if (DataType.isInterval(type) || DataType.isDuration(type)) return 'INTERVAL';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type))
    return 'BLOB';
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) {
    return `${duckTypeName((type.children[0] as Field).type)}[]`;
  }
  if (DataType.isStruct(type)) {
    return `STRUCT(${(type.children as Field[]).map((f) => `${f.name} ${duckTypeName(f.type)}`).join(', ')})`;
  }
  if (DataType.isMap(type)) {
    const [k, v] = (type.children[0] as Field).type.children as Field[];
    return `MAP(${duckTypeName(k!.type)}, ${duckTypeName(v!.type)})`;
  }
  if (DataType.isDictionary(type)) return duckTypeName(type.dictionary);
  if (DataType.isNull(type)) return 'NULL';
  return String(type);
}
