// Shared by both drivers' queryHead: the statements that count or cap a read DuckDB can take as a subquery, and the head of a table in hand.
import type { Table } from 'apache-arrow';
import type { IpcMessages } from '../../common/arrow.ts';
import { tokenize } from '../../common/sql-lexer.ts';
import type { HeadResult } from './types.ts';

/**
 * Counts the rows of a read without moving them: DuckDB prunes the projection, so `SELECT *` counts at the
 * cost of a scan. The newlines keep a trailing `--` comment inside its line.
 */
export function countSql(sql: string): string {
  return `SELECT count(*) AS n FROM (\n${sql}\n)`;
}

/**
 * Words that put an operator other than a projection between a read's rows and its table (or make the read
 * something other than one table's rows), so DuckDB keeps a constant LIMIT over it as it is.
 */
const NOT_A_PLAIN_SCAN = new Set([
  ...['WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'ORDER', 'LIMIT', 'OFFSET', 'DISTINCT', 'JOIN', 'OVER'],
  ...['UNION', 'INTERSECT', 'EXCEPT', 'SAMPLE', 'PIVOT', 'UNPIVOT', 'VALUES'],
  ...['COUNT', 'SUM', 'AVG', 'MIN', 'MAX'],
]);

/** Whether a read looks like one table's columns and nothing more: `SELECT a, b FROM t`, `FROM t`, `TABLE t`. */
export function isPlainScan(sql: string): boolean {
  const words = tokenize(sql).filter((t) => t.kind === 'word');
  if (words[0]?.text !== 'TABLE' && !words.some((t) => t.text === 'FROM')) return false;
  return !words.some((t) => NOT_A_PLAIN_SCAN.has(t.text));
}

/**
 * The first `rows` rows of a read, in its order (DuckDB keeps a subquery's order through a plain LIMIT). Over a
 * plain scan the limit is a scalar subquery: DuckDB 1.4 late-materialises a constant LIMIT of more than 50
 * rows straight over a table scan into a semi join on `rowid` with a second scan of the whole table, which a
 * limit it cannot fold to a constant escapes. Elsewhere the constant stays: over an ORDER BY it is what makes
 * a Top-N, and over other plans the subquery's cross product costs a little (docs/ARCHITECTURE.md, Bounded
 * results).
 */
export function limitSql(sql: string, rows: number): string {
  const limit = isPlainScan(sql) ? `(SELECT ${rows})` : String(rows);
  return `SELECT * FROM (\n${sql}\n) LIMIT ${limit}`;
}

/** A head already decoded (native DuckDB builds the table itself), with its IPC bytes when the driver had them. */
export function tableHead(table: Table, totalRows: number, ipc: IpcMessages | null = null): HeadResult {
  return { table, schema: table.schema, rows: table.numRows, ipc, totalRows };
}
