// A .duckdb file: attached read-only from its handle, each table copied into staging, then detached.
import { errorMessage } from '../errors.ts';
import { qualified, quoteIdent, sqlValue } from '../sql.ts';
import { tableToRows } from '../values.ts';
import { badFile, firstLine, type ReadContext } from './context.ts';

/** A table of the attached file and the `files` table it becomes. */
export interface AttachedTable {
  schema: string;
  table: string;
  /** `<base>_<table>`, or `<base>_<schema>_<table>` outside `main`. */
  target: string;
}

/**
 * Attaches the file and lists its tables (Dinobase's own `_dinobase*` schemas left out); `copy` then stages
 * each. The alias is this import's own, and the file is detached whatever happens.
 */
export async function withAttached<T>(
  ctx: ReadContext,
  base: string,
  alias: string,
  use: (
    tables: AttachedTable[],
    copy: (table: AttachedTable, staging: string) => Promise<void>,
  ) => Promise<T>,
): Promise<T> {
  const path = await ctx.register('data.duckdb', ctx.file);
  try {
    await ctx.conn.query(`ATTACH ${sqlValue(path)} AS ${quoteIdent(alias)} (READ_ONLY)`);
  } catch (error) {
    throw badFile(
      ctx.fileName,
      null,
      `not a DuckDB database this version can open (${firstLine(errorMessage(error))})`,
      error,
    );
  }
  try {
    const rows = tableToRows(
      await ctx.conn.query(
        `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ${sqlValue(alias)}
         AND schema_name NOT LIKE '\\_dinobase%' ESCAPE '\\' ORDER BY schema_name, table_name`,
      ),
    );
    const tables = rows.map((r) => {
      const schema = String(r.schema_name);
      const table = String(r.table_name);
      const target = `${base}_${schema === 'main' ? '' : `${schema}_`}${table}`
        .toLowerCase()
        .replace(/[^a-z0-9_]/g, '_');
      return { schema, table, target: target.slice(0, 63) };
    });
    if (tables.length === 0) throw badFile(ctx.fileName, null, 'the database holds no tables');
    let done = 0;
    return await use(tables, async (t, staging) => {
      await ctx.conn.query(
        `CREATE TABLE ${qualified(ctx.staging.schema, staging)} AS SELECT * FROM ${quoteIdent(alias)}.${qualified(t.schema, t.table)}`,
      );
      ctx.progress({ phase: 'loading', done: ++done, total: tables.length, rows: 0 });
    });
  } finally {
    await ctx.conn.query(`DETACH ${quoteIdent(alias)}`).catch(() => undefined);
  }
}
