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
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
  type Data,
  type Timestamp,
} from 'apache-arrow';
import { valueText } from '../../common/text.ts';
import { QueryError } from '../errors.ts';
import { columnToJson } from '../values.ts';
import type { Chunker } from './chunks.ts';
import type { LoadParquetWasm } from './parquet-wasm.ts';
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

/** `table` with the columns above changed; the same table when it has none. */
export function parquetReady(table: Table): Table {
  const fields = table.schema.fields;
  if (!fields.some((f) => needsText(f.type) || isSeconds(f.type))) return table;
  const schema = new Schema(fields.map(fixedField), table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = fields.map((f, i) => fixedData(batch.data.children[i]!, f));
    return new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }),
    );
  });
  return new Table(schema, batches);
}

const bytesOf = (table: Table) => table.batches.reduce((n, b) => n + b.data.byteLength, 0);

/**
 * Batches go in through a ReadableStream that asks for one at a time, so a slow disk holds back DuckDB; the
 * writer's output is drained as it comes, one row group at a time.
 */
export async function parquetEncoder(out: Chunker, load: LoadParquetWasm): Promise<Encoder> {
  const pq = await load();
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
  let held: Table | null = null;
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
      held = held ? held.concat(batch) : batch;
      rowsIn += batch.numRows;
      if (held.numRows >= ROW_GROUP_ROWS || bytesOf(held) >= ROW_GROUP_BYTES) {
        const table = held;
        held = null;
        await send(table);
      }
    },
    async finish() {
      if (rowsIn === 0) {
        // The streaming writer needs a first batch to learn the schema: a file without rows is written whole.
        controller.close();
        await drained;
        const empty = pq.Table.fromIPCStream(tableToIPC(parquetReady(held!), 'stream'));
        await out.write(pq.writeParquet(empty, properties()));
        return;
      }
      if (held && held.numRows > 0) await send(held);
      held = null;
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
