// Arrow into native DuckDB without SQL text: a Parquet file DuckDB reads itself, or data chunks for an Appender.
import {
  DuckDBBlobValue,
  DuckDBDataChunk,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBDecimalType,
  type DuckDBListType,
  type DuckDBMapType,
  type DuckDBStructType,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { DataType, makeVector, type Data, type Field, type Table, type Vector } from 'apache-arrow';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QueryError } from '../errors.ts';
import { qualified, quoteIdent, quoteLiteral } from '../sql.ts';
import { duckTypeName } from '../values.ts';
import { PARQUET_MAX_BYTES, arrowBytes, parquetColumnType, tableToParquet } from './native-parquet.ts';
import type { InsertTarget, StagingFiles } from './types.ts';

type Value = DuckDBValue | null;

/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

const TO_MICROS = [1_000_000n, 1_000n, 1n] as const;

function toMicros(raw: bigint, unit: number): bigint {
  return unit === 3 ? raw / 1_000n : raw * TO_MICROS[unit as 0 | 1 | 2];
}

/** 128-bit little-endian two's complement words (Arrow Decimal128) → bigint. */
function words128(words: ArrayLike<number>, at: number): bigint {
  let result = 0n;
  for (let i = 3; i >= 0; i--) result = (result << 32n) | BigInt((words[at + i] ?? 0) >>> 0);
  return BigInt.asIntN(128, result);
}

const mismatch = (type: DataType, target: DuckDBType) =>
  new QueryError(
    'bad_sql',
    `Cannot append an Arrow ${String(type)} column to a DuckDB ${target.toString()} column.`,
  );

/** A plain JS value (number, bigint, string, boolean, bytes) as the target column's DuckDB value. */
function scalar(value: unknown, target: DuckDBType, type: DataType): Value {
  switch (target.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return Boolean(value);
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return Number(value);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
    case DuckDBTypeId.VARCHAR:
      return typeof value === 'string' ? value : String(value);
    case DuckDBTypeId.BLOB:
      if (value instanceof Uint8Array) return new DuckDBBlobValue(value);
      break;
  }
  throw mismatch(type, target);
}

/** One Arrow chunk's values as DuckDB values of the target column's type. */
function dataValues(data: Data, target: DuckDBType): Value[] {
  const type = data.type as DataType;
  const out: Value[] = new Array(data.length).fill(null);
  const valid = (j: number) => data.getValid(j);
  if (DataType.isDictionary(type)) {
    const words = makeVector(data);
    for (let j = 0; j < data.length; j++) if (valid(j)) out[j] = scalar(words.get(j), target, type);
    return out;
  }
  if (DataType.isTimestamp(type) || DataType.isTime(type)) {
    const raw = data.values as BigInt64Array | Int32Array;
    for (let j = 0; j < data.length; j++) {
      if (!valid(j)) continue;
      const micros = toMicros(BigInt(raw[j]!), type.unit);
      if (target.typeId === DuckDBTypeId.TIMESTAMP) out[j] = new DuckDBTimestampValue(micros);
      else if (target.typeId === DuckDBTypeId.TIMESTAMP_TZ) out[j] = new DuckDBTimestampTZValue(micros);
      else if (target.typeId === DuckDBTypeId.TIME) out[j] = new DuckDBTimeValue(micros);
      else if (target.typeId === DuckDBTypeId.DATE)
        out[j] = new DuckDBDateValue(Number(micros / 86_400_000_000n));
      else throw mismatch(type, target);
    }
    return out;
  }
  if (DataType.isDate(type)) {
    if (target.typeId !== DuckDBTypeId.DATE) throw mismatch(type, target);
    const raw = data.values as Int32Array | BigInt64Array;
    const perDay = type.unit === 0 ? 1 : 86_400_000;
    for (let j = 0; j < data.length; j++)
      if (valid(j)) out[j] = new DuckDBDateValue(Number(raw[j]!) / perDay);
    return out;
  }
  if (DataType.isDecimal(type)) {
    const words = data.values as Uint32Array;
    for (let j = 0; j < data.length; j++) {
      if (!valid(j)) continue;
      const unscaled = words128(words, j * 4);
      if (target.typeId === DuckDBTypeId.DECIMAL) {
        const { width, scale } = target as DuckDBDecimalType;
        if (scale !== type.scale) throw mismatch(type, target);
        out[j] = new DuckDBDecimalValue(unscaled, width, scale);
      } else out[j] = scalar(unscaled, target, type);
    }
    return out;
  }
  if (DataType.isInterval(type)) {
    if (target.typeId !== DuckDBTypeId.INTERVAL) throw mismatch(type, target);
    const raw = data.values as Int32Array;
    const nanos = new BigInt64Array(raw.buffer, raw.byteOffset, raw.length >> 1);
    for (let j = 0; j < data.length; j++) {
      if (valid(j)) out[j] = new DuckDBIntervalValue(raw[j * 4]!, raw[j * 4 + 1]!, nanos[j * 2 + 1]! / 1000n);
    }
    return out;
  }
  if (DataType.isList(type) || DataType.isFixedSizeList(type) || DataType.isMap(type)) {
    return nestedLists(data, target);
  }
  if (DataType.isStruct(type)) {
    if (target.typeId !== DuckDBTypeId.STRUCT) throw mismatch(type, target);
    const { entryNames, entryTypes } = target as DuckDBStructType;
    const fields = type.children as Field[];
    const columns = entryNames.map((name, k) => {
      const at = fields.findIndex((f) => f.name === name);
      return at < 0 ? null : dataValues(data.children[at]!, entryTypes[k]!);
    });
    for (let j = 0; j < data.length; j++) {
      if (!valid(j)) continue;
      out[j] = new DuckDBStructValue(
        Object.fromEntries(entryNames.map((name, k) => [name, columns[k]?.[j] ?? null])),
      );
    }
    return out;
  }
  const vector = makeVector(data);
  for (let j = 0; j < data.length; j++) if (valid(j)) out[j] = scalar(vector.get(j), target, type);
  return out;
}

/** LIST, fixed-size lists and MAP: the child values converted once, then cut per row. */
function nestedLists(data: Data, target: DuckDBType): Value[] {
  const type = data.type as DataType;
  const out: Value[] = new Array(data.length).fill(null);
  const child = data.children[0]!;
  const size = DataType.isFixedSizeList(type) ? type.listSize : 0;
  const bounds = (j: number): [number, number] =>
    size ? [j * size, (j + 1) * size] : [Number(data.valueOffsets[j]), Number(data.valueOffsets[j + 1])];
  if (DataType.isMap(type)) {
    if (target.typeId !== DuckDBTypeId.MAP) throw mismatch(type, target);
    const { keyType, valueType } = target as DuckDBMapType;
    const keys = dataValues(child.children[0]!, keyType);
    const values = dataValues(child.children[1]!, valueType);
    for (let j = 0; j < data.length; j++) {
      if (!data.getValid(j)) continue;
      const [from, to] = bounds(j);
      const entries = [];
      for (let k = from; k < to; k++) entries.push({ key: keys[k]!, value: values[k]! });
      out[j] = new DuckDBMapValue(entries);
    }
    return out;
  }
  if (target.typeId !== DuckDBTypeId.LIST) throw mismatch(type, target);
  const items = dataValues(child, (target as DuckDBListType).valueType);
  for (let j = 0; j < data.length; j++) {
    if (!data.getValid(j)) continue;
    const [from, to] = bounds(j);
    out[j] = new DuckDBListValue(items.slice(from, to));
  }
  return out;
}

function columnValues(vector: Vector, target: DuckDBType): Value[] {
  const out: Value[] = [];
  for (const data of vector.data) for (const v of dataValues(data, target)) out.push(v);
  return out;
}

/** The Parquet writer's column types for `table`, or null when a column (or the batch's size) is beyond it. */
function writableTypes(table: Table): string[] | null {
  if (arrowBytes(table) > PARQUET_MAX_BYTES) return null;
  const names = table.schema.fields.map((f) => parquetColumnType(f.type as DataType));
  return names.every((n) => n !== null) ? (names as string[]) : null;
}

/** The Parquet path's column types when every column maps exactly onto the target's, else null. */
function parquetNames(table: Table, types: DuckDBType[]): string[] | null {
  const names = writableTypes(table);
  // An aliased type (JSON is VARCHAR underneath) would be a cast, which may check or change the text.
  const exact = (name: string, c: number) => !hasAlias(types[c]!) && types[c]!.toString() === name;
  return names && names.every(exact) ? names : null;
}

const hasAlias = (type: DuckDBType): boolean =>
  type.alias !== undefined ||
  (type.typeId === DuckDBTypeId.LIST && hasAlias((type as DuckDBListType).valueType));

let fileCount = 0;

/** Staging files one load may hold (~400k Stripe customers) before the rest is staged in a table. */
const STAGING_FILES_LIMIT = 256 * 1024 * 1024;

/** Staging files in `fileDir`, a directory SQL may read: the Parquet writer's files (see StagingFiles). */
export function stagingFilesIn(fileDir: string): StagingFiles {
  return {
    accepts: (table) => writableTypes(table) !== null,
    async write(table) {
      const types = writableTypes(table);
      if (types === null) {
        throw new QueryError(
          'invalid_argument',
          "A staging file takes only the sync's flat and list column types.",
        );
      }
      const path = join(fileDir, `stage-${process.pid}-${++fileCount}.parquet`);
      const bytes = tableToParquet(table, types);
      try {
        await writeFile(path, bytes, { mode: 0o600 });
      } catch (error) {
        // A full disk leaves part of a file that no caller knows the name of.
        await unlink(path).catch(() => undefined);
        throw error;
      }
      return { path, bytes: bytes.byteLength };
    },
    limitBytes: STAGING_FILES_LIMIT,
    async remove(paths) {
      await Promise.all(paths.map((path) => unlink(path).catch(() => undefined)));
    },
  };
}

/**
 * Inserts `table` into `target` by column position, as DuckDB-WASM's Arrow insert does: a table to create
 * takes its column types from the Arrow schema (the names `duckTypeName` gives them). When every column is a
 * type the Parquet writer takes and the target's column is exactly that type (the sync's staging tables), the
 * batch goes through a Parquet file in `fileDir` that DuckDB reads with an async `INSERT … SELECT`, on its own
 * threads: the Appender's flush would run DuckDB's insert on our thread, as would a JS value per cell. The
 * file is deleted when the statement ends, whether it failed or not.
 */
export async function appendArrow(
  conn: DuckDBConnection,
  table: Table,
  target: InsertTarget,
  fileDir: string,
): Promise<void> {
  if (target.create) {
    const columns = table.schema.fields.map((f) => `${quoteIdent(f.name)} ${duckTypeName(f.type)}`);
    await conn.run(`CREATE TABLE ${qualified(target.schema, target.name)} (${columns.join(', ')})`);
  }
  const appender = await conn.createAppender(target.name, target.schema);
  let names: string[] | null;
  try {
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    if (types.length !== table.numCols) {
      throw new QueryError(
        'bad_sql',
        `Cannot insert ${table.numCols} Arrow columns into ${target.schema}.${target.name}, which has ${types.length}.`,
      );
    }
    names = parquetNames(table, types);
    if (names === null) appendChunks(appender, table, types);
  } finally {
    appender.closeSync();
  }
  if (names === null || table.numRows === 0) return;
  const path = join(fileDir, `insert-${process.pid}-${++fileCount}.parquet`);
  try {
    await writeFile(path, tableToParquet(table, names), { mode: 0o600 });
    await conn.run(
      `INSERT INTO ${qualified(target.schema, target.name)} SELECT * FROM read_parquet(${quoteLiteral(path)})`,
    );
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

function appendChunks(appender: DuckDBAppender, table: Table, types: DuckDBType[]): void {
  const columns = types.map((type, c) => columnValues(table.getChildAt(c)!, type));
  for (let from = 0; from < table.numRows; from += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, table.numRows - from);
    const chunk = DuckDBDataChunk.create(types, rows);
    chunk.setColumns(columns.map((values) => values.slice(from, from + rows)));
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
}
