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

/**
 * An Arrow IPC stream as the messages it came in (the schema, then each record batch), never joined into one
 * buffer: in a browser a buffer of a megabyte or more is a fresh mapping from the system, and writing a joined
 * copy of a 10k-row read cost more than a third of the read (docs/ARCHITECTURE.md, P1). The end-of-stream
 * marker is optional: a reader stops where the messages end.
 */
export type IpcMessages = Uint8Array[];

/** The buffers under `messages`, each once: what posting them to another thread transfers. */
export function ipcTransfer(messages: readonly Uint8Array[]): ArrayBuffer[] {
  return [...new Set(messages.map((m) => m.buffer as ArrayBuffer))];
}

/** `tableFromIPC` for a query result: the same table, with its schema kept by position. */
export function tableFromResultIPC(bytes: Uint8Array | readonly Uint8Array[]): Table {
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
