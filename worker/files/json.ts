// JSON (an array of objects) and NDJSON (one object per line) into a staging table, read by DuckDB from the file handle.
import { errorMessage } from '../errors.ts';
import { badFile, firstLine, type ReadContext } from './context.ts';

/** Up to this size a failed JSON file is parsed once more in JS, only to say where it is malformed. */
const LOCATE_LIMIT = 32 << 20;

export async function loadJson(ctx: ReadContext): Promise<void> {
  ctx.progress({ phase: 'loading', done: 0, total: ctx.file.size, rows: 0 });
  const path = await ctx.register('data.json', ctx.file);
  try {
    await ctx.conn.insertJSONFromPath(path, { ...ctx.staging, create: true });
  } catch (error) {
    throw await jsonError(ctx, error);
  }
}

/** Native DuckDB says "at byte N"; DuckDB-WASM's reader does not, so JS's parser locates it (small files). */
async function jsonError(ctx: ReadContext, error: unknown): Promise<Error> {
  const message = errorMessage(error);
  const byte = /at byte (\d+)/.exec(message)?.[1];
  if (byte) return badFile(ctx.fileName, `byte ${byte}`, firstLine(message).replace(/^.*?: /, ''), error);
  if (ctx.file.size <= LOCATE_LIMIT) {
    const text = await ctx.file.text();
    try {
      const value: unknown = JSON.parse(text);
      if (!Array.isArray(value))
        return badFile(ctx.fileName, null, 'the file is not one JSON array of objects', error);
    } catch (parse) {
      const detail = errorMessage(parse);
      const position = /position (\d+)/.exec(detail)?.[1];
      if (position)
        return badFile(
          ctx.fileName,
          where(text, Number(position)),
          detail.replace(/ in JSON at .*$/, ''),
          error,
        );
    }
  }
  return badFile(ctx.fileName, null, firstLine(message), error);
}

function where(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, byte ${new TextEncoder().encode(before).length}`;
}

/**
 * NDJSON: DuckDB-WASM's reader takes arrays only, so the lines are checked one by one as the file streams past
 * (a bad line fails with its number) and become one array as a Blob of slices of the original file: the
 * bytes are never copied, and DuckDB reads them straight from the handle.
 */
export async function loadNdjson(ctx: ReadContext): Promise<void> {
  const parts: BlobPart[] = ['['];
  const decoder = new TextDecoder();
  const total = ctx.file.size;
  let offset = 0;
  let lineNo = 0;
  let carry: Uint8Array = new Uint8Array(0);
  let carryStart = 0;
  let rows = 0;
  const take = (bytes: Uint8Array, start: number) => {
    lineNo++;
    const text = decoder.decode(bytes).trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw badFile(ctx.fileName, `line ${lineNo}, byte ${start}`, errorMessage(error), error);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw badFile(ctx.fileName, `line ${lineNo}, byte ${start}`, 'each line must be one JSON object');
    if (rows > 0) parts.push(',');
    parts.push(ctx.file.slice(start, start + bytes.length));
    rows++;
  };
  const reader = ctx.file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let from = 0;
    for (let i = 0; i < value.length; i++) {
      if (value[i] !== 10) continue;
      const piece = value.subarray(from, i);
      if (carry.length > 0) {
        const line = new Uint8Array(carry.length + piece.length);
        line.set(carry);
        line.set(piece, carry.length);
        take(line, carryStart);
        carry = new Uint8Array(0);
      } else take(piece, offset + from);
      from = i + 1;
    }
    if (from < value.length) {
      if (carry.length === 0) carryStart = offset + from;
      const rest = value.subarray(from);
      const joined = new Uint8Array(carry.length + rest.length);
      joined.set(carry);
      joined.set(rest, carry.length);
      carry = joined;
    }
    offset += value.length;
    ctx.progress({ phase: 'reading', done: offset, total, rows });
  }
  if (carry.length > 0) take(carry, carryStart);
  if (rows === 0) throw badFile(ctx.fileName, null, 'the file holds no JSON objects');
  parts.push(']');
  ctx.progress({ phase: 'loading', done: total, total, rows });
  const path = await ctx.register('data.json', new Blob(parts));
  try {
    await ctx.conn.insertJSONFromPath(path, { ...ctx.staging, create: true });
  } catch (error) {
    throw badFile(ctx.fileName, null, firstLine(errorMessage(error)), error);
  }
}
