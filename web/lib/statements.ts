// "Run the statement at the cursor": statement spans from the engine's own splitter (common/sql-lexer.ts).
import { splitStatements as split } from '../../common/sql-lexer.ts';

export interface StatementRange {
  from: number;
  to: number;
}

/** Statement ranges, with the comments before each; semicolons in strings, identifiers and comments are skipped. */
export function splitStatements(text: string): StatementRange[] {
  return split(text).map(({ from, to }) => ({ from, to }));
}

/** The statement containing `pos`, else the last one ending before it (the cursor sits after its `;`). */
export function statementAt(text: string, pos: number): StatementRange | null {
  const ranges = splitStatements(text);
  let best: StatementRange | null = null;
  for (const r of ranges) {
    if (r.from <= pos && pos <= r.to) return r;
    if (r.to <= pos) best = r;
  }
  return best ?? ranges[0] ?? null;
}
