// What the CLI prints: JSON by default, aligned tables with --pretty, and a progress bar on stderr when it is a TTY.
import type { StatementOutcome } from '../../worker/query/engine.ts';
import type { SyncProgress } from '../../worker/sync/engine.ts';

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function cell(value: unknown): string {
  // An absent key (a column without a note) is blank; a SQL NULL says so.
  if (value === undefined) return '';
  if (value === null) return 'NULL';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value) && !value.some((v) => typeof v === 'object' && v !== null)) {
    return value.map(cell).join(', ');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An aligned text table; numbers right-aligned, as the DuckDB shell does. */
export function table(rows: Record<string, unknown>[], columns?: string[]): string {
  const keys = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (keys.length === 0) return '(no columns)';
  const text = rows.map((r) => keys.map((k) => cell(r[k]).replaceAll('\n', ' ')));
  const numeric = keys.map(
    (k) => rows.length > 0 && rows.every((r) => r[k] == null || typeof r[k] === 'number'),
  );
  const widths = keys.map((k, i) => Math.max(k.length, ...text.map((t) => t[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(keys), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

const KINDS: Record<StatementOutcome['kind'], string> = {
  read: 'read',
  scratch: 'scratch',
  mutation_preview: 'preview',
};

/** A script's outcome list, one line a statement, as the DuckDB shell reports a script run. */
export function outcomeTable(outcomes: StatementOutcome[]): string {
  return table(
    outcomes.map((o) => ({
      '#': o.index,
      line: o.line,
      kind: KINDS[o.kind],
      statement: o.verb,
      rows: o.rows ?? undefined,
      ms: o.elapsed_ms ?? undefined,
      status: o.status,
    })),
  );
}

/** People's view of any result: row lists as tables, objects as `key: value` lines with nested tables. */
export function pretty(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}(none)`;
    if (value.every(isRecord)) return indentLines(table(value), indent);
    return `${indent}${value.map(cell).join(', ')}`;
  }
  if (!isRecord(value)) return `${indent}${cell(value)}`;
  // A query result: its rows are the point; the counts follow.
  if (Array.isArray(value.rows) && Array.isArray(value.columns)) {
    const rows = value.rows as Record<string, unknown>[];
    const summary = value.truncated
      ? String(value.message)
      : `${rows.length} row${rows.length === 1 ? '' : 's'}`;
    return `${indentLines(table(rows, value.columns as string[]), indent)}\n${indent}(${summary})`;
  }
  const lines: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (isRecord(v) || (Array.isArray(v) && v.length > 0 && v.every(isRecord))) {
      lines.push(`${indent}${key}:`, pretty(v, `${indent}  `));
    } else {
      lines.push(`${indent}${key}: ${Array.isArray(v) ? v.map(cell).join(', ') : cell(v)}`);
    }
  }
  return lines.join('\n');
}

function indentLines(text: string, indent: string): string {
  return indent ? text.replace(/^/gm, indent) : text;
}

/** JSON with BigInts as numbers when safe, else strings (the engine already returns JSON-safe values). */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) =>
      typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : (v as Json),
    2,
  );
}

/** Replaces every known secret value in `text`, so nothing printed can carry a key. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4) out = out.replaceAll(secret, '[redacted]');
  }
  return out;
}

/**
 * One line on stderr, redrawn in place: the source, a bar of finished resources, and what is being fetched.
 * Only on a TTY; piped stderr gets nothing, so logs stay clean.
 */
export class ProgressBar {
  #stream: Stream;
  #total: number;
  #done = new Set<string>();
  #drawn = false;

  constructor(stream: Stream, total: number) {
    this.#stream = stream;
    this.#total = Math.max(1, total);
  }

  static enabled(stream: Stream): boolean {
    return stream.isTTY === true;
  }

  update(p: SyncProgress): void {
    if (p.phase === 'done') this.#done.add(p.resource);
    const width = 24;
    const filled = Math.min(width, Math.round((this.#done.size / this.#total) * width));
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const detail = `${p.resource}: ${p.phase}, ${p.pages} pages, ${p.rows} rows`;
    const line = `${p.source} ${bar} ${this.#done.size}/${this.#total} · ${detail}`;
    const max = (this.#stream.columns ?? 100) - 1;
    this.#stream.write(`\r\x1b[2K${line.slice(0, max)}`);
    this.#drawn = true;
  }

  finish(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
