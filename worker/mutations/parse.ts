// Parses one UPDATE/INSERT/DELETE with node-sql-parser into target, SET/VALUES expressions and WHERE, as SQL text.
import { MutationError } from '../errors.ts';
import { sqlLimitError } from '../../common/sql-guard.ts';
import { splitStatements } from '../../common/sql-lexer.ts';
import { sqlParser } from '../sql-parser.ts';
const OPTIONS = { database: 'postgresql' };

export type ParsedMutation =
  | {
      operation: 'UPDATE';
      schema: string;
      table: string;
      /** column → DuckDB expression text for the new value. */
      set: { column: string; expr: string }[];
      where: string | null;
    }
  | {
      operation: 'INSERT';
      schema: string;
      table: string;
      columns: string[];
      /** One list of expression texts per VALUES row. */
      rows: string[][];
    }
  | { operation: 'DELETE'; schema: string; table: string; where: string };

const BLOCKED = ['DROP', 'ALTER', 'TRUNCATE', 'CREATE', 'GRANT', 'REVOKE'];

const USAGE = {
  UPDATE: 'UPDATE schema.table SET col = value WHERE condition',
  INSERT: 'INSERT INTO schema.table (col1, col2) VALUES (val1, val2)',
  DELETE: 'DELETE FROM schema.table WHERE condition',
} as const;

interface AstNode {
  type?: string;
  [key: string]: unknown;
}

function fail(message: string): never {
  throw new MutationError('invalid_argument', message);
}

/** Splits on statement boundaries the lexer finds (quotes, comments and dollar quotes respected). */
export function splitMutationSql(sql: string): string[] {
  return splitStatements(sql).map((s) => s.text);
}

function columnName(node: unknown): string {
  const n = node as { column?: unknown; value?: unknown; expr?: { value?: unknown } };
  if (typeof n === 'string') return n;
  if (n.column !== undefined) return columnName(n.column);
  if (n.expr && typeof n.expr.value === 'string') return n.expr.value;
  if (typeof n.value === 'string') return n.value;
  return fail(`Could not read a column name in ${JSON.stringify(node).slice(0, 80)}.`);
}

function target(ast: AstNode, operation: keyof typeof USAGE): { schema: string; table: string } {
  const tables = ast.table as { db: string | null; table: string }[] | null;
  const first = tables?.[0];
  if (!first) fail(`Could not find the table. Use: ${USAGE[operation]}`);
  if (!first.db) {
    fail(
      `${operation} requires schema.table format (e.g. stripe.customers): the schema names the source to write to.`,
    );
  }
  return { schema: first.db, table: first.table };
}

/** Parses one statement (no trailing `;`) into its parts; every refusal names what to write instead. */
export function parseMutation(statement: string): ParsedMutation {
  const text = statement.trim().replace(/;\s*$/, '');
  // node-sql-parser backtracks exponentially on deep or unclosed brackets, and nothing can stop it.
  const limit = sqlLimitError(text);
  if (limit) fail(limit);
  const verb = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? '';
  if (BLOCKED.includes(verb)) {
    fail(`${verb} statements are not allowed. Only UPDATE, INSERT, and DELETE are supported.`);
  }
  if (verb !== 'UPDATE' && verb !== 'INSERT' && verb !== 'DELETE') {
    fail(`Not a mutation statement. Got '${verb || text.slice(0, 20)}', expected UPDATE, INSERT, or DELETE.`);
  }
  const parser = sqlParser();
  let ast: AstNode;
  try {
    const parsed = parser.astify(text, OPTIONS) as unknown as AstNode | AstNode[];
    ast = Array.isArray(parsed) ? parsed[0]! : parsed;
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return fail(`Could not parse ${verb} statement (${detail}). Use: ${USAGE[verb]}`);
  }
  const sql = (node: unknown) => parser.exprToSQL(node as never, OPTIONS);
  if (ast.with) fail(`${verb} with a WITH clause is not supported. Use: ${USAGE[verb]}`);
  if (ast.returning) fail(`${verb} … RETURNING is not supported: the preview shows the affected rows.`);

  if (ast.type === 'update') {
    if (ast.from) fail(`UPDATE … FROM is not supported. Use a subquery in WHERE: ${USAGE.UPDATE}`);
    const set = (ast.set as { column: unknown; value: unknown }[]).map((s) => ({
      column: columnName(s.column),
      expr: sql(s.value),
    }));
    const dup = set.find((s, i) => set.findIndex((o) => o.column === s.column) !== i);
    if (dup) fail(`Column '${dup.column}' is set twice.`);
    return {
      operation: 'UPDATE',
      ...target(ast, 'UPDATE'),
      set,
      where: ast.where ? sql(ast.where) : null,
    };
  }
  if (ast.type === 'insert') {
    const values = ast.values as { type?: string; values?: { value: unknown[] }[] } | null;
    if (values?.type !== 'values' || !values.values) {
      fail(`Only INSERT … VALUES is supported (not INSERT … SELECT). Use: ${USAGE.INSERT}`);
    }
    if (ast.conflict) fail('INSERT … ON CONFLICT is not supported: the source API decides on duplicates.');
    const columns = ((ast.columns as unknown[] | null) ?? []).map(columnName);
    if (columns.length === 0) fail(`INSERT needs a column list. Use: ${USAGE.INSERT}`);
    const rows = values.values.map((row, i) => {
      if (row.value.length !== columns.length) {
        fail(`VALUES row ${i + 1} has ${row.value.length} values for ${columns.length} columns.`);
      }
      return row.value.map(sql);
    });
    return { operation: 'INSERT', ...target(ast, 'INSERT'), columns, rows };
  }
  if (ast.type === 'delete') {
    if (!ast.where) fail('DELETE without WHERE clause is not allowed. Specify which rows to delete.');
    return { operation: 'DELETE', ...target(ast, 'DELETE'), where: sql(ast.where) };
  }
  return fail(`Could not parse ${verb} statement. Use: ${USAGE[verb]}`);
}
