// The IPC shortcuts of the bounded read: a record batch's row count and a result's schema read from one message, and a result read from its messages.
import {
  DataType,
  Message,
  RecordBatchStreamWriter,
  tableFromArrays,
  tableFromIPC,
  vectorFromArray,
  Dictionary,
  Int32,
  Utf8,
  Table,
  type RecordBatch,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ipcTransfer, tableFromResultIPC } from '../../common/arrow.ts';
import { headerSchema, recordBatchLength } from './driver-head.ts';

/** A stream's messages, one piece each (marker, metadata length, metadata, body), as DuckDB-WASM hands chunks over. */
function messages(stream: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  let at = 0;
  for (;;) {
    const length = view.getInt32(at + 4, true);
    if (length === 0) return pieces;
    const body = Number(Message.decode(stream.subarray(at + 8, at + 8 + length)).bodyLength);
    pieces.push(stream.subarray(at, at + 8 + length + body));
    at += 8 + length + body;
  }
}

function streamOf(batches: RecordBatch[]): Uint8Array {
  const writer = new RecordBatchStreamWriter();
  for (const batch of batches) writer.write(batch);
  return writer.finish().toUint8Array(true);
}

describe('recordBatchLength', () => {
  it("reads each record batch's rows as apache-arrow decodes them, and null for other messages", () => {
    const wide = tableFromArrays({
      id: Int32Array.from({ length: 3000 }, (_, i) => i),
      name: Array.from({ length: 3000 }, (_, i) => `name-${i}`),
      ratio: Float64Array.from({ length: 3000 }, (_, i) => i / 3),
    });
    const batches = [
      ...wide.slice(0, 2048).batches,
      ...wide.slice(2048).batches,
      ...wide.slice(0, 0).batches,
    ];
    const pieces = messages(streamOf(batches));
    const expected = pieces.map((piece) => {
      const view = new DataView(piece.buffer, piece.byteOffset, piece.byteLength);
      const message = Message.decode(piece.subarray(8, 8 + view.getInt32(4, true)));
      return message.isRecordBatch() ? message.header().length : null;
    });
    expect(expected.filter((n) => n !== null)).toEqual([2048, 952, 0]);
    expect(pieces.map(recordBatchLength)).toEqual(expected);
  });

  it('answers null for a dictionary batch and for bytes that are not a message', () => {
    const moods = vectorFromArray(['sad', 'ok', 'sad'], new Dictionary(new Utf8(), new Int32()));
    const pieces = messages(streamOf(new Table({ m: moods }).batches));
    expect(pieces.map(recordBatchLength)).toEqual([null, null, 3]);
    expect(recordBatchLength(new Uint8Array(16))).toBeNull();
    expect(recordBatchLength(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBeNull();
  });
});

describe('headerSchema', () => {
  it("is the stream's own schema, dictionaries marked (duplicate names: bounded.test.ts)", () => {
    const table = new Table({
      a: vectorFromArray([1, 2], new Int32()),
      m: vectorFromArray(['x', 'y'], new Dictionary(new Utf8(), new Int32())),
    });
    const stream = streamOf(table.batches);
    const [header] = messages(stream);
    const schema = headerSchema(header!);
    expect(schema.fields.map(String)).toEqual(tableFromIPC(stream).schema.fields.map(String));
    expect(schema.fields.map((f) => [f.name, DataType.isDictionary(f.type)])).toEqual([
      ['a', false],
      ['m', true],
    ]);
  });
});

describe('a result as its messages (IpcMessages)', () => {
  it('decodes the messages as they came, each in a buffer of its own and without the end marker, as the joined stream', () => {
    const wide = new Table({
      id: vectorFromArray(Int32Array.from({ length: 5000 }, (_, i) => i)),
      name: vectorFromArray(
        Array.from({ length: 5000 }, (_, i) => `name-${i}`),
        new Utf8(),
      ),
    });
    const stream = streamOf([
      ...wide.slice(0, 2048).batches,
      ...wide.slice(2048, 4096).batches,
      ...wide.slice(4096).batches,
    ]);
    // What a transfer leaves: one ArrayBuffer per message, and no end-of-stream marker after the last batch.
    const pieces = messages(stream).map((piece) => piece.slice());
    expect(pieces).toHaveLength(4);
    const table = tableFromResultIPC(pieces);
    expect([table.numRows, table.batches.length]).toEqual([5000, 3]);
    expect([table.getChild('id')?.get(4999), table.getChild('name')?.get(2048)]).toEqual([4999, 'name-2048']);
    expect(table.getChild('name')?.toArray()).toEqual(tableFromIPC(stream).getChild('name')?.toArray());
  });

  it('transfers each buffer under the messages once', () => {
    const shared = new Uint8Array(16);
    const own = new Uint8Array(8);
    expect(ipcTransfer([shared.subarray(0, 8), shared.subarray(8), own])).toEqual([
      shared.buffer,
      own.buffer,
    ]);
  });
});
