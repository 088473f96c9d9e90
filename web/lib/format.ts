// SQL formatting on demand with sql-formatter's DuckDB dialect.
import { duckdb, formatDialect } from 'sql-formatter';

/** Formats DuckDB SQL: upper-case keywords, two-space indent; throws a readable Error on SQL it cannot parse. */
export function formatSql(text: string): string {
  try {
    return formatDialect(text, {
      dialect: duckdb,
      keywordCase: 'upper',
      dataTypeCase: 'upper',
      functionCase: 'preserve',
      tabWidth: 2,
      linesBetweenQueries: 1,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`Could not format: ${message}`, { cause: error });
  }
}
