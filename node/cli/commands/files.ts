// import: a local file into `files.<table>` from the shell, the same import the app's drop does (worker/files/).
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { importFile, type CsvOptions } from '../../../worker/files/import.ts';
import { loadParquetWasm } from '#parquet';
import { stringOption, UsageError, type Command } from '../args.ts';
import { pretty } from '../output.ts';

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a local file (CSV/TSV, JSON, NDJSON, Parquet, .duckdb) as a table of the files source.',
  usage: 'import PATH [--table NAME] [--replace | --append] [--delimiter C] [--header yes|no]',
  options: {
    table: { type: 'string' },
    replace: { type: 'boolean' },
    append: { type: 'boolean' },
    delimiter: { type: 'string' },
    header: { type: 'string' },
  },
  help: [
    { flag: '--table NAME', text: 'the table name (default: from the file name, "Q3 Sales.csv" → q3_sales)' },
    { flag: '--replace', text: 'replace the table if it exists (otherwise a taken name is an error)' },
    { flag: '--append', text: 'add the rows to the existing table (columns matched by name)' },
    { flag: '--delimiter C', text: 'CSV delimiter instead of the sniffed one ("\\t" for tab)' },
    { flag: '--header yes|no', text: 'whether the CSV has a header row, instead of sniffing it' },
  ],
  notes: [
    'Example:',
    '  dinobase import ./exports/orders.csv && dinobase query "SELECT count(*) FROM files.orders"',
  ],
  positionals: { min: 1, max: 1 },
  async run(ctx, { positionals, values }) {
    if (values.replace && values.append) throw new UsageError('give either --replace or --append, not both');
    const header = stringOption(values, 'header');
    if (header !== undefined && header !== 'yes' && header !== 'no')
      throw new UsageError(`--header takes yes or no, not "${header}"`);
    const delimiter = stringOption(values, 'delimiter');
    const csv: CsvOptions = {
      ...(delimiter !== undefined ? { delimiter: delimiter === '\\t' ? '\t' : delimiter } : {}),
      ...(header !== undefined ? { header: header === 'yes' } : {}),
    };
    const path = positionals[0]!;
    // A Blob backed by the file: read as DuckDB needs it, never whole in memory.
    const file = await openAsBlob(path);
    const result = await importFile(
      ctx.db,
      {
        file,
        fileName: basename(path),
        table: stringOption(values, 'table'),
        mode: values.replace ? 'replace' : values.append ? 'append' : undefined,
        csv,
      },
      { parquet: loadParquetWasm },
    );
    await ctx.emit(result, pretty(result));
    return 0;
  },
};
