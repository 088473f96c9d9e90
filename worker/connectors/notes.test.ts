// Every conversion a column note suggests runs on real data in this offline build (timestamps through date_trunc too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { QueryEngine, isErrorResult, type QueryResult } from '../query/engine.ts';
import { loadSampleData } from '../sample/load.ts';
import { annotationsOf } from '../sync/plan.ts';
import { memoryDB } from '../testing.ts';
import { builtinConnectors } from './builtin.ts';

interface Suggestion {
  schema: string;
  table: string;
  column: string;
  note: string;
  /** The SQL expressions the note gives in backticks. */
  expressions: string[];
}

/** Every note of every built-in connector: what syncs and the sample data write to `_dinobase.columns`. */
function notes(): Suggestion[] {
  const connectors = builtinConnectors();
  return connectors.names().flatMap((name) =>
    Object.entries(annotationsOf(connectors.get(name))).flatMap(([table, columns]) =>
      Object.entries(columns)
        .filter(([, a]) => a.note)
        .map(([column, a]) => ({
          schema: name,
          table,
          column,
          note: a.note!,
          expressions: [...a.note!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
        })),
    ),
  );
}

let db: DinobaseDB;
let engine: QueryEngine;

beforeAll(async () => {
  db = memoryDB();
  engine = new QueryEngine(db);
  await loadSampleData(db);
});
afterAll(() => db.close());

async function rows(sql: string): Promise<QueryResult['rows']> {
  const result = await engine.execute(sql, { maxRows: 10_000 });
  if (isErrorResult(result)) throw new Error(`${sql}\n→ ${result.error}`);
  return (result as QueryResult).rows;
}

describe('column notes', () => {
  it('give every suggested conversion as SQL to copy, never as a bare function name', () => {
    for (const { schema, table, column, note } of notes()) {
      const prose = note.replace(/`[^`]*`/g, '');
      expect(prose, `${schema}.${table}.${column}: ${note}`).not.toMatch(/\w\(/);
      expect(prose, `${schema}.${table}.${column}: ${note}`).not.toMatch(/\b(convert|divide)\b/i);
    }
  });

  it('suggest conversions that run on the sample data; timestamps work with date_trunc and strftime', async () => {
    const suggestions = notes().filter((n) => n.expressions.length > 0);
    expect(suggestions.map((s) => `${s.schema}.${s.table}.${s.column}`)).toEqual(
      expect.arrayContaining([
        'stripe.customers.created',
        'stripe.invoices.due_date',
        'stripe.charges.amount',
      ]),
    );
    let timestamps = 0;
    for (const { schema, table, column, expressions } of suggestions) {
      const where = `${schema}.${table}.${column}`;
      const [present] = await rows(
        `SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' AND column_name = '${column}'`,
      );
      expect(present?.n, `${where} has no sample data to try its note on`).toBe(1);
      for (const expression of expressions) {
        const [typed] = await rows(
          `SELECT any_value(typeof(${expression})) AS type, count(${expression}) AS n FROM ${schema}.${table}`,
        );
        if (typed?.type !== 'TIMESTAMP') continue;
        timestamps++;
        const days = await rows(
          `SELECT date_trunc('day', ${expression}) AS day, strftime(${expression}, '%Y-%m') AS month
           FROM ${schema}.${table} WHERE ${column} IS NOT NULL LIMIT 50`,
        );
        for (const { month } of days) expect(String(month), where).toMatch(/^20\d\d-\d\d$/);
      }
    }
    expect(timestamps).toBeGreaterThanOrEqual(10);
  });

  it('reach the catalog as the connectors wrote them', async () => {
    const stored = await db.getColumnAnnotations('stripe', 'customers');
    const created = notes().find(
      (n) => n.schema === 'stripe' && n.table === 'customers' && n.column === 'created',
    );
    expect(stored.created?.note).toBe(created?.note);
  });
});
