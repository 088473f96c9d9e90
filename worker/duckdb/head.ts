// Shared by both drivers' queryHead: the statements that count or cap a read DuckDB can take as a subquery.

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
