// Input limits checked before any parser or DuckDB sees SQL: size, bracket balance and nesting (docs/ARCHITECTURE.md "Input limits").
import { tokenize, type Token } from './sql-lexer.ts';

/** One statement or script: DuckDB-WASM corrupts its memory on texts of a few MB. */
export const MAX_SQL_BYTES = 1024 * 1024;
/** Brackets inside brackets: node-sql-parser backtracks exponentially on deep (and unclosed) nesting. */
export const MAX_NESTING_DEPTH = 32;
/** A WITH inside a CTE of another WITH: DuckDB's planning time triples with each level (10 levels: 1 s). */
export const MAX_WITH_NESTING = 8;
/** One literal in a write; APIs take far less, and the preview stores the value more than once. */
export const MAX_VALUE_BYTES = 256 * 1024;
/** What one call may hand DuckDB (SQL text plus parameters): the engine's own wrapping adds to MAX_SQL_BYTES. */
export const MAX_CALL_BYTES = 1536 * 1024;

/** The UTF-8 length without encoding (a surrogate pair counts 2 + 2 = 4 bytes). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code < 0xe000) ? 2 : 3;
  }
  return bytes;
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']' };
const CLOSE = new Set([')', ']']);

/** Bracket balance, bracket depth and WITH nesting over lexer tokens (brackets in strings and comments do not count). */
function checkTokens(tokens: Token[]): string | null {
  const open: Token[] = [];
  /** Bracket depths at which the enclosing WITHs stand. */
  const withs: number[] = [];
  for (const token of tokens) {
    const text = token.text;
    if (text in OPEN) {
      open.push(token);
      if (open.length > MAX_NESTING_DEPTH) {
        return `SQL nests brackets more than ${MAX_NESTING_DEPTH} levels deep (at character ${token.start + 1}): the limit is ${MAX_NESTING_DEPTH}. Flatten subqueries into CTEs or joins.`;
      }
    } else if (CLOSE.has(text)) {
      const last = open.pop();
      if (!last || OPEN[last.text] !== text) {
        return `Unbalanced brackets: "${text}" at character ${token.start + 1} closes ${last ? `"${last.text}" from character ${last.start + 1}` : 'nothing'}.`;
      }
      while (withs.length > 0 && withs[withs.length - 1]! > open.length) withs.pop();
    } else if (token.kind === 'word' && text === 'WITH') {
      while (withs.length > 0 && withs[withs.length - 1]! >= open.length) withs.pop();
      withs.push(open.length);
      if (withs.length > MAX_WITH_NESTING) {
        return `SQL nests WITH clauses more than ${MAX_WITH_NESTING} levels deep (at character ${token.start + 1}): the limit is ${MAX_WITH_NESTING}, as DuckDB's planning time grows threefold per level. List the CTEs side by side in one WITH instead.`;
      }
    }
  }
  const unclosed = open[0];
  if (unclosed) {
    return `Unbalanced brackets: ${open.length} "${unclosed.text}" never closed (the first at character ${unclosed.start + 1}).`;
  }
  return null;
}

/** Why `sql` is refused before parsing, or null when it is within every limit. */
export function sqlLimitError(sql: string): string | null {
  const bytes = utf8Bytes(sql);
  if (bytes > MAX_SQL_BYTES) {
    return `SQL of ${formatBytes(bytes)} is too long: the limit is ${formatBytes(MAX_SQL_BYTES)}. Load large data through a source instead of literals.`;
  }
  return checkTokens(tokenize(sql));
}

/** Why a write's literals are refused (one over MAX_VALUE_BYTES), or null. */
export function valueLimitError(tokens: Token[]): string | null {
  for (const token of tokens) {
    if (token.kind !== 'string') continue;
    const bytes = utf8Bytes(token.text);
    if (bytes > MAX_VALUE_BYTES) {
      return `A value of ${formatBytes(bytes)} (at character ${token.start + 1}) is too large: one value in a write is limited to ${formatBytes(MAX_VALUE_BYTES)}.`;
    }
  }
  return null;
}
