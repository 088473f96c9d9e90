// Statement splitting for "run the statement at the cursor".
import { describe, expect, it } from 'vitest';
import { splitStatements, statementAt } from './statements.ts';

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    const text = 'SELECT \'a;b\' AS x; -- c;d\nSELECT "e;f" FROM t /* g;h */;\n\nSELECT $$i;j$$';
    const parts = splitStatements(text).map((r) => text.slice(r.from, r.to));
    expect(parts).toEqual(["SELECT 'a;b' AS x", '-- c;d\nSELECT "e;f" FROM t /* g;h */', 'SELECT $$i;j$$']);
  });

  it('handles doubled quotes inside strings', () => {
    const text = "SELECT 'it''s; fine'; SELECT 2";
    expect(splitStatements(text).map((r) => text.slice(r.from, r.to))).toEqual([
      "SELECT 'it''s; fine'",
      'SELECT 2',
    ]);
  });

  it('reads SQL as the engine does: nested block comments and digits in dollar-quote tags', () => {
    const text = 'SELECT 1 /* a /* b; */ c; */; SELECT $t1$d;e$t1$; SELECT 3';
    expect(splitStatements(text).map((r) => text.slice(r.from, r.to))).toEqual([
      'SELECT 1 /* a /* b; */ c; */',
      'SELECT $t1$d;e$t1$',
      'SELECT 3',
    ]);
  });
});

describe('statementAt', () => {
  const text = 'SELECT 1;\nSELECT 2;\n';
  it('finds the statement under the cursor, or the one just before it', () => {
    expect(statementAt(text, 3)).toEqual({ from: 0, to: 8 });
    expect(statementAt(text, 12)).toEqual({ from: 10, to: 18 });
    expect(statementAt(text, text.length)).toEqual({ from: 10, to: 18 });
    expect(statementAt('', 0)).toBeNull();
    // A trailing comment is not a statement: the cursor after it still runs the last one.
    expect(statementAt('SELECT 1; -- done', 17)).toEqual({ from: 0, to: 8 });
  });
});
