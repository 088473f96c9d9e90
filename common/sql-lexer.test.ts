// The one SQL lexer: what the engine classifies and the editor's "run the statement at the cursor" both split with.
import { describe, expect, it } from 'vitest';
import { TRICKY_SPLITS } from '../test/fixtures/tricky-sql.ts';
import { splitStatements, tokenize } from './sql-lexer.ts';

const texts = (sql: string) => splitStatements(sql).map((s) => s.text);
const spans = (sql: string) => splitStatements(sql).map((s) => sql.slice(s.from, s.to));

describe('tokenize', () => {
  it('upper-cases words and leaves literals alone', () => {
    expect(tokenize("select 'Ab'").map((t) => t.text)).toEqual(['SELECT', "'Ab'"]);
  });

  it('reads dollar quotes with digits in the tag, and E-strings', () => {
    expect(tokenize("SELECT $t1$a;b$t1$, E'x'").map((t) => t.kind)).toEqual([
      'word',
      'string',
      'symbol',
      'string',
    ]);
  });
});

describe('splitStatements', () => {
  it('keeps semicolons inside strings, identifiers, comments and dollar quotes', () => {
    const sql = `SELECT 'a;b', "c;d" -- e;f\n /* g; /* h; */ i; */ , $$j;k$$, $tag1$l;m$tag1$; SELECT 2`;
    expect(texts(sql)).toHaveLength(2);
    expect(texts(sql)[1]).toBe('SELECT 2');
  });

  it('handles doubled quotes and drops empty or comment-only statements', () => {
    expect(texts("SELECT 'it''s; fine';; -- done")).toEqual(["SELECT 'it''s; fine'"]);
  });

  it('gives each statement from its first token, and its span with the comments around it', () => {
    const sql = '  SELECT 1 ;\n-- next\nSELECT 2 /* end */';
    expect(texts(sql)).toEqual(['SELECT 1', 'SELECT 2 /* end */']);
    expect(spans(sql)).toEqual(['SELECT 1', '-- next\nSELECT 2 /* end */']);
  });
});

describe('splitStatements agrees with DuckDB on every comment and string form', () => {
  it.each(TRICKY_SPLITS)('%s', (_name, sql, count) => {
    expect(texts(sql)).toHaveLength(count);
  });

  // DuckDB 1.4.3 cannot parse U&'' at all ("pg_verifymbstr NOT IMPLEMENTED"), so only the lexer is checked here.
  it("reads U&'' like a plain string, where a backslash escapes nothing", () => {
    expect(texts("SELECT U&'a\\'; SELECT 2")).toHaveLength(2);
    expect(texts("SELECT 1 AS a\u2028E'\\'; SELECT 2; SELECT ''''")).toHaveLength(3);
  });

  it('reads a non-breaking space as a space and U+2028 as part of a word, as DuckDB does', () => {
    expect(tokenize('a\u00a0b').map((t) => t.text)).toEqual(['A', 'B']);
    expect(tokenize('a\u2028b')).toHaveLength(1);
  });
});
