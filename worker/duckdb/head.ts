// Shared by both drivers' queryHead: the statements that count or cap a read DuckDB can take as a subquery, and the head of a table in hand.
import type { Table } from 'apache-arrow';
import type { IpcMessages } from '../../common/arrow.ts';
import type { HeadResult } from './types.ts';

/**
 * Counts the rows of a read without moving them: DuckDB prunes the projection, so `SELECT *` counts at the
 * cost of a scan. The newlines keep a trailing `--` comment inside its line.
 */
export function countSql(sql: string): string {
  return `SELECT count(*) AS n FROM (\n${sql}\n)`;
}

/** The first `rows` rows of a read, in its order (DuckDB keeps a subquery's order through a plain LIMIT). */
export function limitSql(sql: string, rows: number): string {
  return `SELECT * FROM (\n${sql}\n) LIMIT ${rows}`;
}

/** A head already decoded (native DuckDB builds the table itself), with its IPC bytes when the driver had them. */
export function tableHead(table: Table, totalRows: number, ipc: IpcMessages | null = null): HeadResult {
  return { table, schema: table.schema, rows: table.numRows, ipc, totalRows };
}
