// The SQL tokenizer and statement splitter (strings, quoted identifiers, nested comments, dollar quotes) for engine and editor.

export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'symbol' | 'semicolon' | 'lparen' | 'rparen';

export interface Token {
  kind: TokenKind;
  /** Upper-cased for words; the raw text otherwise. */
  text: string;
  start: number;
  end: number;
}

// DuckDB turns these Unicode spaces into plain ones before its scanner (PostgreSQL's) runs, which reads
// every other non-ASCII character (U+2028 too) as part of a word; measured on DuckDB 1.4.3.
const SPACE = /[ \t\n\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/;
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const inWord = (ch: string) => WORD_PART.test(ch) && !SPACE.test(ch);

/** Past the closing quote; in an E-string a backslash also escapes the next character (`E'\''`). */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes = false): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') i += 2;
    else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Tokens outside comments and whitespace. Unterminated strings run to the end, as DuckDB reads them. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (SPACE.test(ch)) {
      i++;
    } else if (ch === '-' && next === '-') {
      // A line comment ends at \n or \r for DuckDB: `SELECT 1 --\r; DROP …` is two statements.
      while (i < sql.length && sql[i] !== '\n' && sql[i] !== '\r') i++;
    } else if (ch === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (ch === "'" || ((ch === 'E' || ch === 'e') && next === "'")) {
      const start = i;
      i = ch === "'" ? skipQuoted(sql, i, "'") : skipQuoted(sql, i + 1, "'", true);
      tokens.push({ kind: 'string', text: sql.slice(start, i), start, end: i });
    } else if ((ch === 'U' || ch === 'u') && next === '&' && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
      // U&'…' and U&"…" escape with \XXXX but end like plain quotes (a backslash never escapes the quote).
      const start = i;
      const quote = sql[i + 2]!;
      i = skipQuoted(sql, i + 2, quote);
      tokens.push({ kind: quote === "'" ? 'string' : 'ident', text: sql.slice(start, i), start, end: i });
    } else if (ch === '"') {
      const start = i;
      i = skipQuoted(sql, i, '"');
      tokens.push({ kind: 'ident', text: sql.slice(start, i), start, end: i });
    } else if (ch === '$' && /[A-Za-z_$]/.test(next ?? '')) {
      const tag = /^\$[A-Za-z_0-9]*\$/.exec(sql.slice(i));
      const start = i;
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? sql.length : close + tag[0].length;
        tokens.push({ kind: 'string', text: sql.slice(start, i), start, end: i });
      } else {
        i++;
        tokens.push({ kind: 'symbol', text: '$', start, end: i });
      }
    } else if (WORD_START.test(ch)) {
      const start = i;
      while (i < sql.length && inWord(sql[i]!)) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i).toUpperCase(), start, end: i });
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(next ?? ''))) {
      const start = i;
      while (i < sql.length && /[0-9._eE]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'number', text: sql.slice(start, i), start, end: i });
    } else {
      const kind: TokenKind =
        ch === ';' ? 'semicolon' : ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'symbol';
      tokens.push({ kind, text: ch, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

export interface Statement {
  /** From the first token to the end, trimmed: what is classified and run. */
  text: string;
  tokens: Token[];
  /** The statement's span in the input, trimmed, with any comments before it (the editor's "statement at cursor"). */
  from: number;
  to: number;
}

/** Splits on top-level semicolons and drops statements that hold no token (empty or only comments). */
export function splitStatements(sql: string): Statement[] {
  const statements: Statement[] = [];
  let current: Token[] = [];
  let segment = 0;
  const flush = (end: number) => {
    const first = current[0];
    if (first) {
      const raw = sql.slice(segment, end);
      const from = segment + raw.length - raw.trimStart().length;
      const text = sql.slice(first.start, end).trim();
      statements.push({ text, tokens: current, from, to: first.start + text.length });
    }
    current = [];
  };
  for (const token of tokenize(sql)) {
    if (token.kind === 'semicolon') {
      flush(token.start);
      segment = token.end;
    } else current.push(token);
  }
  flush(sql.length);
  return statements;
}
