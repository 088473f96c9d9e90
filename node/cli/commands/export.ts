// export: a table or a read's whole result to a Parquet, JSON, NDJSON or CSV file, streamed chunk by chunk.
import { open, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXPORT_FORMATS, exportData, type ExportFormat } from '../../../worker/export/export.ts';
import { loadParquetWasm } from '#parquet';
import { stringOption, UsageError, type Command } from '../args.ts';
import { pretty } from '../output.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export a table or a query’s full result to a Parquet (zstd), JSON, NDJSON or CSV file.',
  usage: 'export SCHEMA.TABLE --format FORMAT --out FILE  |  export --sql "<sql>" --format FORMAT --out FILE',
  options: { sql: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
  help: [
    { flag: '--sql SQL', text: 'export the result of this read instead of a table (reads only, as `query`)' },
    { flag: '--format FORMAT', text: `${EXPORT_FORMATS.join(', ')} (default: the --out file's extension)` },
    {
      flag: '--out FILE',
      text: 'the file to write (replaced if it exists; removed again if the export fails)',
    },
  ],
  notes: [
    'Examples:',
    '  dinobase export stripe.customers --format parquet --out customers.parquet',
    '  dinobase export --sql "SELECT * FROM stripe.charges WHERE amount > 1000" --out big.ndjson',
  ],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals, values }) {
    const sql = stringOption(values, 'sql');
    const table = positionals[0];
    if ((sql === undefined) === (table === undefined)) {
      throw new UsageError('export takes a table (SCHEMA.TABLE) or --sql "<sql>", not both.');
    }
    const out = stringOption(values, 'out');
    if (!out) throw new UsageError('export needs --out FILE.');
    const format = (stringOption(values, 'format') ?? out.split('.').at(-1)!.toLowerCase()) as ExportFormat;
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`Unknown --format '${format}'. Use one of: ${EXPORT_FORMATS.join(', ')}.`);
    }
    const path = resolve(out);
    const file = await open(path, 'w');
    let result;
    try {
      result = await exportData(ctx.db, sql !== undefined ? { sql, format } : { table: table!, format }, {
        onChunk: async (chunk) => void (await file.write(chunk)),
        loadParquet: loadParquetWasm,
      });
      await file.close();
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(path, { force: true });
      throw error;
    }
    const written = { ...result, path };
    await ctx.emit(written, pretty(written));
    return 0;
  },
};
