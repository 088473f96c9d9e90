// The CLI's text output: aligned tables, the --pretty view of results, secret scrubbing and the TTY-only progress bar.
import { describe, expect, it } from 'vitest';
import { outcomeTable, pretty, ProgressBar, scrub, table, toJson } from './output.ts';

describe('table', () => {
  it('aligns columns, right-aligns numbers and shows NULL', () => {
    expect(
      table([
        { name: 'a', n: 5 },
        { name: 'longer', n: 120 },
        { name: null, n: null },
      ]).split('\n'),
    ).toEqual(['name       n', '------  ----', 'a          5', 'longer   120', 'NULL    NULL']);
  });
});

describe('pretty', () => {
  it('prints a query result as its rows and a count, or the truncation message', () => {
    const text = pretty({ columns: ['x'], rows: [{ x: 1 }, { x: 2 }], row_count: 2, total_rows: 2 });
    expect(text).toBe('x\n-\n1\n2\n(2 rows)');
    const cut = pretty({
      columns: ['x'],
      rows: [{ x: 1 }],
      truncated: true,
      message: 'Showing 1 of 9 rows.',
    });
    expect(cut.endsWith('(Showing 1 of 9 rows.)')).toBe(true);
  });

  it('prints objects as key: value lines with nested lists of objects as tables', () => {
    expect(pretty({ status: 'ok', checks: [{ a: 1 }] })).toBe('status: ok\nchecks:\n  a\n  -\n  1');
  });
});

describe('outcomeTable', () => {
  it("lists a script's statements as the DuckDB shell would, blanks for what did not happen", () => {
    const text = outcomeTable([
      { index: 1, line: 1, kind: 'scratch', verb: 'CREATE', rows: 12, elapsed_ms: 3.5, status: 'kept' },
      {
        index: 2,
        line: 4,
        kind: 'mutation_preview',
        verb: 'UPDATE',
        rows: 1,
        elapsed_ms: 9,
        status: 'discarded',
      },
      {
        index: 3,
        line: 7,
        kind: 'read',
        verb: 'SELECT',
        rows: null,
        elapsed_ms: 1.25,
        status: 'failed',
        error: 'x',
      },
      { index: 4, line: 9, kind: 'scratch', verb: 'DROP', rows: null, elapsed_ms: null, status: 'not_run' },
    ]);
    expect(text.split('\n')).toEqual([
      '#  line  kind     statement  rows    ms  status',
      '-  ----  -------  ---------  ----  ----  ---------',
      '1     1  scratch  CREATE       12   3.5  kept',
      '2     4  preview  UPDATE        1     9  discarded',
      '3     7  read     SELECT           1.25  failed',
      '4     9  scratch  DROP                   not_run',
    ]);
  });
});

describe('scrub and toJson', () => {
  it('masks every secret, the longest first', () => {
    expect(scrub('key sk_test_abc and sk_test_abcdef', ['sk_test_abc', 'sk_test_abcdef'])).toBe(
      'key [redacted] and [redacted]',
    );
  });

  it('writes BigInts as numbers when safe, else as strings', () => {
    expect(toJson({ a: 5n, b: 2n ** 64n })).toBe('{\n  "a": 5,\n  "b": "18446744073709551616"\n}');
  });
});

describe('ProgressBar', () => {
  it('is on only for a TTY, redraws one line and clears it at the end', () => {
    expect(ProgressBar.enabled({ write: () => true })).toBe(false);
    const out: string[] = [];
    const tty = { isTTY: true, columns: 200, write: (t: string) => out.push(t) };
    expect(ProgressBar.enabled(tty)).toBe(true);
    const bar = new ProgressBar(tty, 2);
    bar.update({ source: 'stripe', resource: 'customers', phase: 'fetching', pages: 1, rows: 100 });
    bar.update({ source: 'stripe', resource: 'customers', phase: 'done', pages: 2, rows: 180 });
    bar.finish();
    const ESC = '\r\u001b[2K';
    expect(out[0]).toBe(`${ESC}stripe ${'░'.repeat(24)} 0/2 · customers: fetching, 1 pages, 100 rows`);
    expect(out[1]!.startsWith(`${ESC}stripe ${'█'.repeat(12)}${'░'.repeat(12)} 1/2 `)).toBe(true);
    expect(out[2]).toBe(ESC);
  });
});
