// Arrow results that keep their columns by position, duplicate names included (`SELECT a.id, b.id`).
import { RecordBatch, RecordBatchReader, Schema, Table, type Field } from 'apache-arrow';

/**
 * apache-arrow's `Schema.assign` merges fields by name, and every RecordBatch passes its schema through it:
 * `SELECT 1 AS a, 'x' AS a` came out as two VARCHAR fields over an INTEGER column (or failed natively). A
 * result's schema merges nothing: assigning fields replaces them in place.
 */
export function positional<S extends Schema>(schema: S): S {
  Object.defineProperty(schema, 'assign', {
    value: (...args: unknown[]) => {
      const fields = args[0] instanceof Schema ? args[0].fields : (args.flat() as Field[]);
      return positional(new Schema(fields, schema.metadata, schema.dictionaries));
    },
  });
  return schema;
}

/** `tableFromIPC` for a query result: the same table, with its schema kept by position. */
export function tableFromResultIPC(bytes: Uint8Array): Table {
  const reader = RecordBatchReader.from(bytes);
  reader.open();
  const schema = positional(reader.schema);
  return new Table(schema, reader.readAll());
}

/** `table` under other column names, position for position (a wrapping subquery renamed duplicates). */
export function renamed(table: Table, names: readonly string[]): Table {
  const schema = positional(
    new Schema(
      table.schema.fields.map((f, i) => f.clone({ name: names[i] ?? f.name })),
      table.schema.metadata,
      table.schema.dictionaries,
    ),
  );
  return new Table(
    schema,
    table.batches.map((batch) => new RecordBatch(schema, batch.data)),
  );
}
