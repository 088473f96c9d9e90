// Parquet files into a staging table: parquet-wasm reads the file by handle, one row group at a time, as Arrow.
import { tableFromIPC, type Table } from 'apache-arrow';
import { errorMessage } from '../errors.ts';
import type { ParquetWasm } from '../parquet/types.ts';
import { badFile, firstLine, type ReadContext } from './context.ts';

/** An open Parquet file; only the row group being read is in memory. */
export interface ParquetSource {
  readonly rowGroups: number;
  /** Row group `index` as an Arrow IPC stream. */
  readRowGroup(index: number): Promise<Uint8Array>;
  /** Every row group at once: only for a file that has none (its schema is all there is). */
  readAll(): Promise<Uint8Array>;
  close(): void;
}

/** Opens `file` with parquet-wasm: the footer is read by range, each row group when asked for. */
export async function openParquet(parquet: ParquetWasm, file: Blob): Promise<ParquetSource> {
  const handle = await parquet.ParquetFile.fromFile(file);
  return {
    rowGroups: handle.metadata().numRowGroups(),
    async readRowGroup(index) {
      return (await handle.read({ rowGroups: [index] })).intoIPCStream();
    },
    async readAll() {
      return (await handle.read()).intoIPCStream();
    },
    close: () => handle.free(),
  };
}

/** Parquet into the staging table one row group at a time, through Arrow and the engine's Arrow insert. */
export async function loadParquet(ctx: ReadContext): Promise<void> {
  let source: ParquetSource;
  try {
    source = await openParquet(await ctx.parquet(), ctx.file);
  } catch (error) {
    throw badFile(
      ctx.fileName,
      'its footer',
      `not a readable Parquet file (${firstLine(errorMessage(error))})`,
      error,
    );
  }
  try {
    let rows = 0;
    const total = source.rowGroups;
    ctx.progress({ phase: 'loading', done: 0, total, rows });
    // A file without row groups still has a schema: reading "all of them" gives the empty table to create.
    const groups = total === 0 ? [-1] : Array.from({ length: total }, (_, i) => i);
    for (const index of groups) {
      let table: Table;
      try {
        table = tableFromIPC(await (index < 0 ? source.readAll() : source.readRowGroup(index)));
      } catch (error) {
        const where = index < 0 ? null : `row group ${index + 1} of ${total}`;
        throw badFile(ctx.fileName, where, firstLine(errorMessage(error)), error);
      }
      await ctx.conn.insertArrow(table, { ...ctx.staging, create: index <= 0 });
      rows += table.numRows;
      ctx.progress({ phase: 'loading', done: index + 1, total, rows });
    }
  } finally {
    source.close();
  }
}
