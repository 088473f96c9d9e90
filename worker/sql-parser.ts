// node-sql-parser's PostgreSQL build, resolved once and shared: classify.ts reads write targets, mutations/parse.ts whole mutations.
import * as sqlParserModule from 'node-sql-parser/build/postgresql.js';

type ParserClass = typeof sqlParserModule.Parser;
export type SqlParser = InstanceType<ParserClass>;

// The PostgreSQL-only build is CommonJS; its named export sits on `default` under ESM interop.
const Parser: ParserClass =
  (sqlParserModule as unknown as { default?: { Parser: ParserClass } }).default?.Parser ??
  sqlParserModule.Parser;
let parser: SqlParser | undefined;

/** The one parser instance, made on first use. */
export function sqlParser(): SqlParser {
  parser ??= new Parser();
  return parser;
}
