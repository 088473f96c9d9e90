// Small statistics and table printing for the benchmark report.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Row {
  /** The group's id (`npm run bench -- --only ID`), set by run.bench.ts. */
  id?: string;
  benchmark: string;
  ours: string;
  baseline: string;
  ratio: string;
  goal: string;
  verdict: string;
}

export function printTable(rows: Row[]): void {
  const headers: Required<Row> = {
    id: 'id',
    benchmark: 'benchmark',
    ours: 'ours (median)',
    baseline: 'baseline (median)',
    ratio: 'ratio / delta',
    goal: 'goal',
    verdict: 'met?',
  };
  const keys = (Object.keys(headers) as (keyof Row)[]).filter((k) => k !== 'id' || rows.some((r) => r.id));
  const cell = (r: Row, k: keyof Row) => r[k] ?? '';
  const widths = keys.map((k) => Math.max(headers[k].length, ...rows.map((r) => cell(r, k).length)));
  const line = (r: Row) => `| ${keys.map((k, i) => cell(r, k).padEnd(widths[i]!)).join(' | ')} |`;
  const table = [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  // Straight to stdout: the table is the benchmark's output, not a test log line.
  process.stdout.write(`\n${table.join('\n')}\n\n`);
}

export const ms = (v: number) => `${v.toFixed(2)} ms`;
