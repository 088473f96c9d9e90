// Decides whether SQL is a read, a mutation (for previews) or refused, before DuckDB ever sees it.
import { sqlLimitError } from '../../common/sql-guard.ts';
import { splitStatements, type Statement, type Token } from '../../common/sql-lexer.ts';
import { sqlParser } from '../sql-parser.ts';
import { SCRATCH_HINT, scratchVerdict } from './scratch.ts';

export type MutationOperation = 'UPDATE' | 'INSERT' | 'DELETE';

export interface TableRef {
  schema: string | null;
  table: string;
}

export type ClassifiedStatement =
  | { kind: 'read'; verb: string; text: string; tokens: Token[] }
  | { kind: 'mutation'; verb: MutationOperation; text: string; target: TableRef | null }
  | { kind: 'refused'; verb: string; text: string; reason: string };

/** A statement of a script with the line (1-based, in the whole SQL) its first token is on. */
export type Located<T extends ClassifiedStatement = ClassifiedStatement> = T & { line: number };
export type ReadStatement = Located<ClassifiedStatement & { kind: 'read' }>;
export type MutationStatement = Located<ClassifiedStatement & { kind: 'mutation' }>;

export type Classification =
  | { kind: 'empty'; error: string }
  /** One read, or a script of reads: they run one at a time, in order, and the last one's rows are the result. */
  | { kind: 'read'; statements: ReadStatement[] }
  | { kind: 'mutation'; statements: MutationStatement[] }
  /** Reads (scratch DDL among them) and writes: run in order, the writes' previews stored as one batch at the end. */
  | { kind: 'script'; statements: (ReadStatement | MutationStatement)[] }
  /** `invalid_argument` when the text is over an input limit (common/sql-guard.ts), before any parser ran. */
  | { kind: 'refused'; error: string; code?: 'invalid_argument' };

const READ_VERBS = new Set([
  'SELECT',
  'WITH',
  'VALUES',
  'FROM',
  'TABLE',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'SUMMARIZE',
]);
const READ_VERBS_AFTER_WITH = new Set(['SELECT', 'VALUES', 'FROM', 'TABLE', 'PIVOT', 'UNPIVOT']);
const MUTATION_VERBS = new Set<string>(['UPDATE', 'INSERT', 'DELETE']);
const DDL_VERBS = new Set(['CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'COMMENT', 'GRANT', 'REVOKE', 'RENAME']);

const READS_ALLOWED =
  'Only reads (SELECT, WITH, VALUES, FROM, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) run as queries';

function refuse(verb: string, text: string, reason: string): ClassifiedStatement {
  return { kind: 'refused', verb, text, reason };
}

const SESSION_OR_FILE_VERBS = new Set([
  'ATTACH',
  'DETACH',
  'COPY',
  'INSTALL',
  'LOAD',
  'PRAGMA',
  'SET',
  'RESET',
  'CALL',
  'EXPORT',
  'IMPORT',
  'CHECKPOINT',
  'FORCE',
  'VACUUM',
  'USE',
  'BEGIN',
  'START',
  'COMMIT',
  'END',
  'ROLLBACK',
  'ABORT',
  'PREPARE',
  'EXECUTE',
  'DEALLOCATE',
  'ANALYZE',
]);

function refusalFor(verb: string): string {
  if (DDL_VERBS.has(verb)) {
    return `${verb} statements are not allowed here: synced tables are managed by sync, and ${SCRATCH_HINT}. ${READS_ALLOWED}; UPDATE, INSERT and DELETE go through mutation previews.`;
  }
  if (verb === 'MERGE') {
    return 'MERGE is not supported: write UPDATE, INSERT or DELETE, which go through mutation previews.';
  }
  if (!SESSION_OR_FILE_VERBS.has(verb)) {
    return `Syntax error: "${verb}" does not start a statement that can run here. ${READS_ALLOWED}.`;
  }
  return `${verb} statements are refused: they change the database, the session or files. ${READS_ALLOWED}.`;
}

/** The first word at depth 0 after a WITH clause's CTE list is the statement's real verb. */
function verbAfterWith(tokens: Token[], from: number): string | null {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'lparen') depth++;
    else if (t.kind === 'rparen') depth--;
    else if (
      depth === 0 &&
      t.kind === 'word' &&
      (READ_VERBS_AFTER_WITH.has(t.text) || MUTATION_VERBS.has(t.text))
    ) {
      return t.text;
    } else if (depth === 0 && t.kind === 'word' && (DDL_VERBS.has(t.text) || t.text === 'MERGE'))
      return t.text;
  }
  return null;
}

/** `( DELETE ...` inside a read would be a data-modifying CTE or subquery. */
function nestedWrite(tokens: Token[]): string | null {
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'word' && MUTATION_VERBS.has(t.text) && tokens[i - 1]!.kind === 'lparen') return t.text;
  }
  return null;
}

function targetFromTokens(tokens: Token[], verbIndex: number, verb: MutationOperation): TableRef | null {
  let i = verbIndex + 1;
  if (
    verb !== 'UPDATE' &&
    tokens[i]?.kind === 'word' &&
    (tokens[i]!.text === 'INTO' || tokens[i]!.text === 'FROM')
  )
    i++;
  const name = (t: Token | undefined) =>
    t && (t.kind === 'word' || t.kind === 'ident')
      ? t.kind === 'ident'
        ? t.text.slice(1, -1).replaceAll('""', '"')
        : t.text.toLowerCase()
      : null;
  const first = name(tokens[i]);
  if (!first) return null;
  if (tokens[i + 1]?.text === '.') {
    const second = name(tokens[i + 2]);
    return second ? { schema: first, table: second } : null;
  }
  return { schema: null, table: first };
}

/** node-sql-parser reads mutations well (and many DuckDB reads badly), so it only refines write targets. */
function targetFromParser(text: string, verb: MutationOperation): TableRef | null {
  try {
    const entry = sqlParser()
      .tableList(text, { database: 'PostgreSQL' })
      .find((t) => t.startsWith(`${verb.toLowerCase()}::`));
    if (!entry) return null;
    const [, schema, table] = entry.split('::');
    return table ? { schema: schema && schema !== 'null' ? schema : null, table } : null;
  } catch {
    return null;
  }
}

export function classifyStatement(statement: Statement): ClassifiedStatement {
  const { tokens, text } = statement;
  let i = 0;
  while (tokens[i]?.kind === 'lparen') i++;
  const first = tokens[i];
  if (!first || first.kind !== 'word') {
    return refuse(
      '?',
      text,
      `Cannot tell what kind of statement this is: it starts with "${first?.text ?? ''}".`,
    );
  }
  let verb = first.text;
  if (verb === 'EXPLAIN') {
    let j = i + 1;
    while (tokens[j]?.kind === 'word' && ['ANALYZE', 'ANALYSE', 'VERBOSE'].includes(tokens[j]!.text)) j++;
    const inner = classifyStatement({ ...statement, tokens: tokens.slice(j) });
    if (inner.kind === 'read') return { kind: 'read', verb: 'EXPLAIN', text, tokens };
    return refuse(
      'EXPLAIN',
      text,
      `EXPLAIN is only allowed on reads: EXPLAIN ANALYZE would run the ${inner.verb}.`,
    );
  }
  if (verb === 'WITH') verb = verbAfterWith(tokens, i + 1) ?? 'WITH';
  // Statements whose one target is scratch.<name> run directly, like reads (worker/query/scratch.ts).
  const scratch = i === 0 ? scratchVerdict(tokens, verb) : null;
  if (scratch?.ok) return { kind: 'read', verb, text, tokens };
  if (scratch) return refuse(verb, text, `${scratch.reason} ${SCRATCH_HINT}.`);
  if (MUTATION_VERBS.has(verb)) {
    const op = verb as MutationOperation;
    const index = tokens.findIndex((t, k) => k >= i && t.kind === 'word' && t.text === op);
    const target = targetFromParser(text, op) ?? targetFromTokens(tokens, index, op);
    return { kind: 'mutation', verb: op, text, target };
  }
  if (READ_VERBS.has(verb) || READ_VERBS_AFTER_WITH.has(verb)) {
    const nested = nestedWrite(tokens);
    if (nested)
      return refuse(nested, text, `A ${nested} nested inside a read is not allowed. ${READS_ALLOWED}.`);
    return { kind: 'read', verb, text, tokens };
  }
  return refuse(verb, text, refusalFor(verb));
}

/** The 1-based line of `offset` in `sql`; \r\n, \n and a lone \r each end a line, as editors count them. */
export function lineAt(sql: string, offset: number): number {
  return sql.slice(0, offset).split(/\r\n|\r|\n/).length;
}

/** "Statement 2 of 3 (line 7)": how a script names one of its statements. */
export function statementLabel(index: number, total: number, line: number): string {
  return `Statement ${index + 1} of ${total} (line ${line})`;
}

/**
 * One statement, or a script: reads only (run in order), writes only (previewed as one batch, as before), or both
 * (run in order; the writes' previews are stored as one batch once the whole script succeeded). A script with a
 * refused statement runs none of them. Lines count from `firstLine` (where the SQL starts in the editor).
 */
export function classify(sql: string, firstLine = 1): Classification {
  // node-sql-parser (targetFromParser) backtracks exponentially on deep or unclosed brackets: check first.
  const limit = sqlLimitError(sql);
  if (limit) return { kind: 'refused', error: limit, code: 'invalid_argument' };
  const statements = splitStatements(sql);
  if (statements.length === 0) return { kind: 'empty', error: 'Empty SQL: write a query such as SELECT 1.' };
  const classified = statements.map((s) => ({
    ...classifyStatement(s),
    line: lineAt(sql, s.tokens[0]!.start) + firstLine - 1,
  }));
  const total = classified.length;
  const refusedAt = classified.findIndex((s) => s.kind === 'refused');
  const refused = classified[refusedAt];
  if (refused?.kind === 'refused') {
    const label = statementLabel(refusedAt, total, refused.line);
    return {
      kind: 'refused',
      error:
        total === 1
          ? refused.reason
          : `${label.replace(')', `, ${refused.verb})`)}: ${refused.reason} Nothing in the script ran.`,
    };
  }
  const runnable = classified as (ReadStatement | MutationStatement)[];
  if (runnable.every((s) => s.kind === 'read'))
    return { kind: 'read', statements: runnable as ReadStatement[] };
  if (runnable.every((s) => s.kind === 'mutation'))
    return { kind: 'mutation', statements: runnable as MutationStatement[] };
  return { kind: 'script', statements: runnable };
}

/** Verbs whose statement reads tables as they are: no metadata of Dinobase's own behind them (SHOW has). */
const PLAIN_READ_VERBS = new Set([
  'SELECT',
  'WITH',
  'VALUES',
  'FROM',
  'TABLE',
  'SUMMARIZE',
  'DESCRIBE',
  'DESC',
  'EXPLAIN',
]);

/**
 * True when `statements` (of `sql`) may run before the migration check: plain reads that name neither
 * `_dinobase` nor `scratch`, the two schemas a fresh or older database has only after its migrations. Anything
 * else waits for them, so it never reads a schema that is about to change or fails on one about to exist.
 */
export function beforeMigrations(sql: string, statements: readonly ClassifiedStatement[]): boolean {
  return (
    statements.every((s) => s.kind === 'read' && PLAIN_READ_VERBS.has(s.verb)) &&
    !/_dinobase|scratch/i.test(sql)
  );
}
