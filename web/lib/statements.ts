// Splits editor text into SQL statements at top-level semicolons, for "run the statement at the cursor".

export interface StatementRange {
  from: number;
  to: number;
}

/** Statement ranges, trimmed of surrounding whitespace; semicolons in strings, identifiers and comments are skipped. */
export function splitStatements(text: string): StatementRange[] {
  const ranges: StatementRange[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body) ranges.push({ from: start + lead, to: start + lead + body.length });
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      const close = text.indexOf(ch, i + 1);
      // A doubled quote is an escaped quote: the next scan starts after it and finds the real end.
      i = close < 0 ? text.length : close + 1;
    } else if (ch === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i))?.[0];
      if (tag) {
        const end = text.indexOf(tag, i + tag.length);
        i = end < 0 ? text.length : end + tag.length;
      } else i++;
    } else if (ch === ';') {
      push(i);
      start = i + 1;
      i++;
    } else i++;
  }
  push(text.length);
  return ranges;
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
