// Parquet export: Arrow batches to parquet-wasm's streaming writer (zstd), one row group per ~122,880 rows.
import {
  DataType,
  Field,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  type Bool,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
  type Data,
  type Timestamp,
} from 'apache-arrow';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';
import { valueText } from '../../common/text.ts';
import { QueryError } from '../errors.ts';
import { columnToJson } from '../values.ts';
import type { Chunker } from './chunks.ts';
import type { LoadParquetWasm } from '../parquet/types.ts';
import type { Encoder } from './text.ts';

/** DuckDB's own row group size: readers parallelise over row groups, and one is what the writer buffers. */
export const ROW_GROUP_ROWS = 122_880;
/** A row group of wide rows is cut short here, so the writer's buffer stays bounded. */
const ROW_GROUP_BYTES = 64 << 20;

/*
 * Types Parquet (or parquet-wasm's writer) cannot hold are changed on the way, per column
 * (docs/ARCHITECTURE.md, Export): INTERVAL and UNION, anywhere in a column's type, become VARCHAR holding the
 * text `execute` shows; TIMESTAMP_S becomes milliseconds (Parquet has no seconds unit). The rest map one to
 * one and native DuckDB reads them back as the same type, except HUGEINT (DECIMAL(38,0), same values), ENUM
 * (VARCHAR), UUID (already VARCHAR in Arrow), fixed-size ARRAY (LIST), TIMESTAMP_MS (TIMESTAMP).
 */
function needsText(type: DataType): boolean {
  if (DataType.isInterval(type) || DataType.isUnion(type)) return true;
  return (type.children ?? []).some((child: Field) => needsText(child.type));
}

const isSeconds = (type: DataType): type is Timestamp =>
  DataType.isTimestamp(type) && (type as Timestamp).unit === 0;

function fixedField(field: Field): Field {
  if (needsText(field.type)) return new Field(field.name, new Utf8(), true);
  if (isSeconds(field.type))
    return new Field(field.name, new TimestampMillisecond(field.type.timezone), true);
  return field;
}

function fixedData(data: Data, field: Field): Data {
  if (needsText(field.type)) {
    const texts = columnToJson(makeVector(data)).map((v) => (v === null ? null : valueText(v)));
    return vectorFromArray(texts, new Utf8()).data[0]!;
  }
  if (isSeconds(field.type)) {
    const seconds = data.values as BigInt64Array;
    const millis = new BigInt64Array(data.length);
    for (let i = 0; i < data.length; i++) millis[i] = seconds[data.offset + i]! * 1000n;
    return makeData({
      type: new TimestampMillisecond(field.type.timezone),
      length: data.length,
      nullCount: data.nullCount,
      nullBitmap: data.nullBitmap,
      offset: 0,
      data: millis,
    });
  }
  return data;
}

const FIXED_WIDTH = (t: DataType) =>
  DataType.isBool(t) ||
  DataType.isInt(t) ||
  DataType.isFloat(t) ||
  DataType.isDecimal(t) ||
  DataType.isDate(t) ||
  DataType.isTime(t) ||
  DataType.isTimestamp(t) ||
  DataType.isFixedSizeBinary(t);

/**
 * An all-NULL column can arrive with an empty values buffer, which Arrow's reader accepts and parquet-wasm's
 * (arrow-rs) refuses: such buffers are given their full, zeroed length, at any depth.
 */
function padded(data: Data): Data {
  const children = data.children.map(padded);
  let values = data.values as (ArrayLike<unknown> & { set?: unknown }) | undefined;
  const end = data.offset + data.length;
  const need = DataType.isBool(data.type) ? Math.ceil(end / 8) : end * data.stride;
  if (FIXED_WIDTH(data.type) && (values?.length ?? 0) < need) {
    const ArrayType = data.type.ArrayType as new (n: number) => Uint8Array;
    const full = new ArrayType(need);
    if (values) full.set(values as Uint8Array);
    values = full;
  }
  if (values === data.values && children.every((c, i) => c === data.children[i])) return data;
  const buffers = [data.valueOffsets, values, data.nullBitmap, data.typeIds] as unknown as Parameters<
    Data['clone']
  >[4];
  return data.clone(data.type, data.offset, data.length, data.nullCount, buffers, children);
}

/** `table` with the columns above changed and short buffers padded. */
export function parquetReady(table: Table): Table {
  const fields = table.schema.fields;
  if (!fields.some((f) => needsText(f.type) || isSeconds(f.type))) {
    return new Table(
      table.schema,
      table.batches.map((b) => {
        const data = padded(b.data) as Data<Struct>;
        return data === b.data ? b : new RecordBatch(table.schema, data);
      }),
    );
  }
  const schema = new Schema(fields.map(fixedField), table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = fields.map((f, i) => padded(fixedData(batch.data.children[i]!, f)));
    return new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }),
    );
  });
  return new Table(schema, batches);
}

/** About how many bytes `data`'s buffers hold (Arrow's own `byteLength` trips over some nested types). */
function dataBytes(data: Data | undefined): number {
  if (!data) return 0;
  const own = [data.values, data.valueOffsets, data.nullBitmap, data.typeIds] as (
    ArrayBufferView | undefined
  )[];
  return (
    own.reduce((n, b) => n + (b?.byteLength ?? 0), 0) +
    (data.children ?? []).reduce((n, c) => n + dataBytes(c), 0)
  );
}
/**
 * Arrow's IPC writer gives an all-NULL BOOLEAN column an empty values buffer, which parquet-wasm's reader
 * (arrow-rs) refuses ("Need at least 1 bytes for bitmap"): it gets a zeroed bitmap of its length instead.
 * Patched once, on the writer's prototype; the bytes stay valid Arrow for every other reader.
 */
let boolPatched = false;
function patchAllNullBool(): void {
  if (boolPatched) return;
  boolPatched = true;
  const original = VectorAssembler.prototype.visitBool;
  VectorAssembler.prototype.visitBool = function <T extends Bool>(this: VectorAssembler, data: Data<T>) {
    if (data.length === 0 || data.nullCount < data.length) return original.call(this, data);
    const zeroes = new Uint8Array(Math.ceil((data.offset + data.length) / 8));
    const buffers = [undefined, zeroes, data.nullBitmap, undefined] as unknown as Parameters<
      Data<T>['clone']
    >[4];
    return original.call(this, data.clone(data.type, data.offset, data.length, 0, buffers) as Data<T>);
  };
}

const bytesOf = (table: Table) => table.batches.reduce((n, b) => n + dataBytes(b.data), 0);

/**
 * Batches go in through a ReadableStream that asks for one at a time, so a slow disk holds back DuckDB; the
 * writer's output is drained as it comes, one row group at a time.
 */
export async function parquetEncoder(out: Chunker, load: LoadParquetWasm): Promise<Encoder> {
  const pq = await load();
  patchAllNullBool();
  // Built per use: a writer takes ownership of its properties.
  const properties = () =>
    new pq.WriterPropertiesBuilder()
      .setCompression(pq.Compression.ZSTD)
      .setMaxRowGroupSize(ROW_GROUP_ROWS)
      .setCreatedBy('Dinobase')
      .build();
  let controller!: ReadableStreamDefaultController<unknown>;
  let wanted: (() => void) | null = null;
  const input = new ReadableStream<unknown>(
    {
      start: (c) => void (controller = c),
      pull: () => {
        wanted?.();
        wanted = null;
      },
    },
    { highWaterMark: 1 },
  );
  let failed: unknown = null;
  // Not awaited before writing: the writer waits for the first batch (it needs the schema) before it returns.
  const drained = (async () => {
    const reader = (await pq.transformParquetStream(input, properties())).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      // A copy: the bytes may be a view the writer reuses.
      await out.write((value as Uint8Array).slice());
    }
  })().catch((error: unknown) => {
    failed = error;
  });
  /** The result's schema (the first batch's) and the batches of the next row group. */
  let schema: Schema | null = null;
  let held: RecordBatch[] = [];
  let heldRows = 0;
  let rowsIn = 0;

  const check = () => {
    if (failed)
      throw new QueryError('internal', `The Parquet writer failed: ${String(failed)}`, { cause: failed });
  };
  const send = async (table: Table) => {
    const wasm = pq.Table.fromIPCStream(tableToIPC(parquetReady(table), 'stream'));
    for (const batch of wasm.recordBatches()) {
      while ((controller.desiredSize ?? 1) <= 0) {
        await Promise.race([new Promise<void>((resolve) => (wanted = resolve)), drained]);
        check();
      }
      controller.enqueue(batch);
    }
    wasm.free();
  };

  return {
    async write(batch) {
      check();
      schema ??= batch.schema;
      // Empty batches are left out: Arrow's IPC writer fails on an empty LIST column built without offsets.
      held.push(...batch.batches.filter((b) => b.numRows > 0));
      heldRows += batch.numRows;
      rowsIn += batch.numRows;
      const table = new Table(schema, held);
      if (heldRows >= ROW_GROUP_ROWS || bytesOf(table) >= ROW_GROUP_BYTES) {
        held = [];
        heldRows = 0;
        await send(table);
      }
    },
    async finish() {
      if (rowsIn === 0) {
        // The streaming writer needs a first batch to learn the schema: a file without rows is written whole.
        controller.close();
        await drained;
        const empty = pq.Table.fromIPCStream(tableToIPC(parquetReady(new Table(schema!)), 'stream'));
        await out.write(pq.writeParquet(empty, properties()));
        return;
      }
      if (heldRows > 0) await send(new Table(schema!, held));
      held = [];
      controller.close();
      await drained;
      check();
    },
    abort(reason) {
      // Ends the writer's input, so parquet-wasm drops what it buffered.
      controller.error(reason);
    },
  };
}
