import {
  Field,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { positional, renamed, tableFromResultIPC } from './arrow.ts';

/** `SELECT 1 AS a, 'x' AS a` as Arrow: two columns named alike, of different types. */
function duplicated(): Table {
  const ints = vectorFromArray([1, 2], new Int32()).data[0]!;
  const texts = vectorFromArray(['x', 'y'], new Utf8()).data[0]!;
  const fields = [new Field('a', new Int32(), true), new Field('a', new Utf8(), true)];
  const schema = positional(new Schema(fields));
  const data = makeData({ type: new Struct(fields), length: 2, nullCount: 0, children: [ints, texts] });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

const describeFields = (table: Table) => table.schema.fields.map((f) => `${f.name}:${String(f.type)}`);

describe('result tables keep columns by position', () => {
  it('builds record batches whose fields keep their own types under one name', () => {
    const table = duplicated();
    expect(describeFields(table)).toEqual(['a:Int32', 'a:Utf8']);
    expect(table.getChildAt(0)!.toArray()).toEqual(new Int32Array([1, 2]));
    expect(table.getChildAt(1)!.get(1)).toBe('y');
  });

  it('reads IPC without merging fields by name', () => {
    const table = tableFromResultIPC(tableToIPC(duplicated(), 'stream'));
    expect(describeFields(table)).toEqual(['a:Int32', 'a:Utf8']);
    expect([table.getChildAt(0)!.get(0), table.getChildAt(1)!.get(0)]).toEqual([1, 'x']);
  });

  it('keeps the schema of an empty result', () => {
    const empty = new Table(duplicated().schema, []);
    const table = tableFromResultIPC(tableToIPC(empty, 'stream'));
    expect(table.numRows).toBe(0);
    expect(describeFields(table)).toEqual(['a:Int32', 'a:Utf8']);
  });

  it('renames columns position for position', () => {
    const table = renamed(duplicated(), ['a', 'b']);
    expect(describeFields(table)).toEqual(['a:Int32', 'b:Utf8']);
    expect(table.getChild('b')!.get(0)).toBe('x');
  });
});
