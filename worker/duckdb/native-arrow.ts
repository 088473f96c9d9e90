// Native DuckDB results as Apache Arrow: each chunk's column vectors become Arrow data of exactly the types DuckDB-WASM produces.
import {
  DuckDBTypeId,
  type DuckDBArrayType,
  type DuckDBDataChunk,
  type DuckDBDecimalType,
  type DuckDBEnumType,
  type DuckDBListType,
  type DuckDBMapType,
  type DuckDBMaterializedResult,
  type DuckDBResult,
  type DuckDBStructType,
  type DuckDBType,
  type DuckDBUnionType,
  type DuckDBValue,
} from '@duckdb/node-api';
import {
  DateDay,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  makeData,
} from 'apache-arrow';
import { positional } from '../../common/arrow.ts';
import { QueryError } from '../errors.ts';
import {
  array,
  bigints,
  bignumBytes,
  binary,
  bools,
  childField,
  decimal,
  dictionary,
  field,
  interval,
  list,
  map,
  numbers,
  opaque,
  struct,
  uhugeint,
  union,
  utf8,
  type Converter,
} from './native-columns.ts';
import { rawData } from './native-raw.ts';

const unsupported = (name: string) =>
  new QueryError('bad_sql', `Not implemented Error: Unsupported Arrow type ${name}`);

/** The converter for a DuckDB type; `ids` numbers ENUM dictionaries in column order, as DuckDB does. */
function converterFor(duck: DuckDBType, ids: { next: number }): Converter {
  const micros = (v: DuckDBValue) => field<bigint>(v, 'micros');
  switch (duck.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return bools();
    case DuckDBTypeId.TINYINT:
      return numbers(new Int8(), Int8Array);
    case DuckDBTypeId.SMALLINT:
      return numbers(new Int16(), Int16Array);
    case DuckDBTypeId.INTEGER:
      return numbers(new Int32(), Int32Array);
    case DuckDBTypeId.BIGINT:
      return bigints(new Int64());
    case DuckDBTypeId.UTINYINT:
      return numbers(new Uint8(), Uint8Array);
    case DuckDBTypeId.USMALLINT:
      return numbers(new Uint16(), Uint16Array);
    case DuckDBTypeId.UINTEGER:
      return numbers(new Uint32(), Uint32Array);
    case DuckDBTypeId.UBIGINT:
      return bigints(new Uint64(), undefined, true);
    case DuckDBTypeId.FLOAT:
      return numbers(new Float32(), Float32Array);
    case DuckDBTypeId.DOUBLE:
      return numbers(new Float64(), Float64Array);
    case DuckDBTypeId.HUGEINT:
      return decimal(38, 0, (v) => v as bigint);
    case DuckDBTypeId.UHUGEINT:
      return uhugeint();
    case DuckDBTypeId.DECIMAL: {
      const { width, scale } = duck as DuckDBDecimalType;
      return decimal(width, scale, (v) => field<bigint>(v, 'value'));
    }
    case DuckDBTypeId.VARCHAR:
      return utf8();
    case DuckDBTypeId.UUID:
      return utf8((v) => String(v));
    case DuckDBTypeId.BLOB:
      return binary((v) => field<Uint8Array>(v, 'bytes'));
    case DuckDBTypeId.BIT:
      return binary((v) => field<Uint8Array>(v, 'data'));
    case DuckDBTypeId.BIGNUM:
      return binary((v) => bignumBytes(v as bigint), opaque('bignum'));
    case DuckDBTypeId.DATE:
      return numbers(new DateDay(), Int32Array, (v) => field<number>(v, 'days'));
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_TZ:
      return bigints(new TimeMicrosecond(), micros);
    case DuckDBTypeId.TIMESTAMP:
      return bigints(new TimestampMicrosecond(), micros);
    case DuckDBTypeId.TIMESTAMP_TZ:
      // Every native session runs with TimeZone = 'UTC', as DuckDB-WASM (which has no ICU) always does.
      return bigints(new TimestampMicrosecond('UTC'), micros);
    case DuckDBTypeId.TIMESTAMP_S:
      return bigints(new TimestampSecond(), (v) => field<bigint>(v, 'seconds'));
    case DuckDBTypeId.TIMESTAMP_MS:
      return bigints(new TimestampMillisecond(), (v) => field<bigint>(v, 'millis'));
    case DuckDBTypeId.TIMESTAMP_NS:
      return bigints(new TimestampNanosecond(), (v) => field<bigint>(v, 'nanos'));
    case DuckDBTypeId.INTERVAL:
      return interval();
    case DuckDBTypeId.ENUM:
      return dictionary(duck as DuckDBEnumType, ids.next++);
    case DuckDBTypeId.LIST:
      return list(converterFor((duck as DuckDBListType).valueType, ids));
    case DuckDBTypeId.ARRAY: {
      const { valueType, length } = duck as DuckDBArrayType;
      return array(converterFor(valueType, ids), length);
    }
    case DuckDBTypeId.STRUCT: {
      const { entryNames, entryTypes } = duck as DuckDBStructType;
      return struct(
        entryNames,
        entryTypes.map((t) => converterFor(t, ids)),
      );
    }
    case DuckDBTypeId.MAP: {
      const { keyType, valueType } = duck as DuckDBMapType;
      return map(converterFor(keyType, ids), converterFor(valueType, ids));
    }
    case DuckDBTypeId.UNION: {
      const { memberTags, memberTypes } = duck as DuckDBUnionType;
      return union(
        memberTags,
        memberTypes.map((t) => converterFor(t, ids)),
      );
    }
    case DuckDBTypeId.TIME_NS:
      throw unsupported('TIME_NS');
    default:
      throw unsupported(DuckDBTypeId[duck.typeId] ?? String(duck.typeId));
  }
}

/** How each column of a result becomes Arrow: the schema, and a batch builder for one chunk. */
function arrowShape(result: DuckDBResult, names: readonly string[]) {
  const ids = { next: 0 };
  const types = result.columnTypes();
  const converters = types.map((t) => converterFor(t, ids));
  const schema = positional(new Schema(names.map((name, i) => childField(name, converters[i]!))));
  const rowType = new Struct(schema.fields);
  return {
    schema,
    batch: (chunk: DuckDBDataChunk) => chunkToBatch(chunk, schema, rowType, types, converters),
  };
}

/**
 * Reads chunks until the table holds more than `maxRows` rows or the result ends (`ended`); on a streamed
 * result the rest is never produced unless fetched.
 */
export async function resultHead(
  result: DuckDBResult,
  maxRows: number,
): Promise<{ table: Table; ended: boolean }> {
  const { schema, batch } = arrowShape(result, result.columnNames());
  const batches: RecordBatch[] = [];
  let rows = 0;
  let ended = false;
  while (rows <= maxRows) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) {
      ended = true;
      break;
    }
    rows += chunk.rowCount;
    batches.push(batch(chunk));
  }
  return { table: new Table(schema, batches), ended };
}

/**
 * A materialised result's chunks are already in memory, so they are read without a call into DuckDB's
 * thread pool each; `names` replaces the column names (a wrapping subquery renames duplicates).
 */
export function materializedToArrow(
  result: DuckDBMaterializedResult,
  names: readonly string[] = result.columnNames(),
): Table {
  const { schema, batch } = arrowShape(result, names);
  const batches: RecordBatch[] = [];
  for (let i = 0; i < result.chunkCount; i++) batches.push(batch(result.getChunk(i)));
  return new Table(schema, batches);
}

/**
 * Hands a streamed result to `onBatch` chunk by chunk (the schema first, as an empty table); DuckDB produces
 * the next chunk only when it is fetched, after the consumer is done with the last.
 */
export async function streamBatches(
  result: DuckDBResult,
  onBatch: (batch: Table) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> {
  const { schema, batch } = arrowShape(result, result.columnNames());
  await onBatch(new Table(schema));
  for (;;) {
    signal?.throwIfAborted();
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    await onBatch(new Table(schema, [batch(chunk)]));
  }
}

/** Fetches the rest of a result, keeping only its row count. */
export async function countRest(result: DuckDBResult): Promise<number> {
  let rows = 0;
  for (
    let chunk = await result.fetchChunk();
    chunk && chunk.rowCount > 0;
    chunk = await result.fetchChunk()
  ) {
    rows += chunk.rowCount;
  }
  return rows;
}

function chunkToBatch(
  chunk: DuckDBDataChunk,
  schema: Schema,
  rowType: Struct,
  types: DuckDBType[],
  converters: Converter[],
): RecordBatch {
  const length = chunk.rowCount;
  const children = converters.map((converter, c) => {
    const vector = chunk.getColumnVector(c);
    // Fixed-width columns are one copy of DuckDB's memory; the rest are read value by value.
    return rawData(types[c]!, converter.type, vector, length) ?? converter.data(vector.toArray());
  });
  return new RecordBatch(schema, makeData({ type: rowType, length, nullCount: 0, children }));
}
