// CSV/TSV into a staging table: DuckDB's sniffer picks delimiter, quote, header and types, read_csv streams the file.
import { ConfigError, errorMessage } from '../errors.ts';
import { qualified, sqlValue } from '../sql.ts';
import { tableToRows } from '../values.ts';
import { badFile, firstLine, type ReadContext } from './context.ts';

/** Overrides for what the sniffer would pick. */
export interface CsvOptions {
  /** One character, e.g. "," ";" "\t" "|". */
  delimiter?: string;
  /** Whether the first line holds the column names. */
  header?: boolean;
  /** One character, default '"'. */
  quote?: string;
}

/** How much of the file the sniffers see: a few lines for the dialect, up to this many bytes for the types. */
const HEAD_LINES = 20;
const SAMPLE_BYTES = 1 << 20;

/** The file's first bytes up to `maxBytes`, cut after the last whole line within them. */
async function headOf(file: Blob, maxBytes: number, maxLines = Infinity): Promise<Uint8Array> {
  const bytes = new Uint8Array(await file.slice(0, maxBytes).arrayBuffer());
  if (file.size <= maxBytes && maxLines === Infinity) return bytes;
  let end = -1;
  let lines = 0;
  for (let i = 0; i < bytes.length && lines < maxLines; i++) {
    if (bytes[i] === 10) {
      end = i;
      lines++;
    }
  }
  if (lines < maxLines && file.size <= maxBytes) return bytes;
  return end >= 0 ? bytes.subarray(0, end + 1) : bytes;
}

function checkChar(name: string, value: string | undefined): void {
  if (value !== undefined && [...value].length !== 1)
    throw new ConfigError(
      'invalid_argument',
      `The CSV ${name} must be one character, got ${JSON.stringify(value)}.`,
    );
}

function sniffArgs(options: CsvOptions): string {
  const args = [`quote = ${sqlValue(options.quote ?? '"')}`];
  if (options.delimiter !== undefined) args.push(`delim = ${sqlValue(options.delimiter)}`);
  if (options.header !== undefined) args.push(`header = ${options.header ? 'true' : 'false'}`);
  return args.map((a) => `, ${a}`).join('');
}

/** The sniffer's ready-made `FROM read_csv(…)` for `path`, or null when it cannot make sense of the sample. */
async function sniff(ctx: ReadContext, path: string, options: CsvOptions): Promise<string | null> {
  try {
    const rows = tableToRows(
      await ctx.conn.query(`SELECT Prompt FROM sniff_csv(${sqlValue(path)}${sniffArgs(options)})`),
    );
    const prompt = String(rows[0]?.Prompt ?? '');
    return prompt.startsWith('FROM read_csv(') ? prompt.replace(/;\s*$/, '') : null;
  } catch {
    return null;
  }
}

/**
 * Two samples: the first lines settle the dialect (a malformed line further on cannot confuse it), then a larger
 * sample read with that dialect settles the column types. The whole file is then read with exactly those
 * settings and strict mode, so a line that does not fit fails with its line number instead of being guessed at.
 */
export async function loadCsv(ctx: ReadContext, options: CsvOptions): Promise<void> {
  checkChar('delimiter', options.delimiter);
  checkChar('quote', options.quote);
  ctx.progress({ phase: 'reading', done: 0, total: ctx.file.size, rows: 0 });
  const headPath = await ctx.registerBytes('head.csv', await headOf(ctx.file, 64 * 1024, HEAD_LINES));
  const dialect = await sniff(ctx, headPath, options);
  if (!dialect)
    throw badFile(ctx.fileName, 'its first lines', 'no CSV dialect fits them (delimiter, quote, header)');
  const delim = /delim='((?:[^']|'')*)'/.exec(dialect)?.[1]?.replaceAll("''", "'");
  const header = /header=(true|false)/.exec(dialect)?.[1];
  const chosen: CsvOptions = {
    ...options,
    delimiter: options.delimiter ?? delim,
    header: options.header ?? (header === undefined ? undefined : header === 'true'),
  };
  const samplePath = await ctx.registerBytes('sample.csv', await headOf(ctx.file, SAMPLE_BYTES));
  const typed = (await sniff(ctx, samplePath, chosen)) ?? dialect;
  const filePath = await ctx.register('data.csv', ctx.file);
  const read = typed.replace(
    sqlValue(typed.includes(samplePath) ? samplePath : headPath),
    sqlValue(filePath),
  );
  ctx.progress({ phase: 'loading', done: 0, total: ctx.file.size, rows: 0 });
  try {
    await ctx.conn.query(
      `CREATE TABLE ${qualified(ctx.staging.schema, ctx.staging.name)} AS SELECT * ${read}`,
    );
  } catch (error) {
    throw csvError(ctx.fileName, errorMessage(error), error);
  }
}

/** DuckDB's CSV errors name the line ("CSV Error on Line: 102", "Original Line: …"); the message keeps both. */
function csvError(fileName: string, message: string, cause: unknown): Error {
  const line = /Line: (\d+)/.exec(message)?.[1];
  const original = /Original Line: (.*)/.exec(message)?.[1];
  const reason =
    message
      .split('\n')
      .map((l) => l.trim())
      .find((l) =>
        /^(Expected Number of Columns|Value with unterminated quote|Could not convert|Conversion Error)/.test(
          l,
        ),
      ) ?? firstLine(message).replace(/^CSV Error on Line: \d+$/, 'the line does not fit the CSV layout');
  const shown = original ? ` (the line reads: ${original.slice(0, 120)})` : '';
  return badFile(fileName, line ? `line ${line}` : null, `${reason}${shown}`, cause);
}
