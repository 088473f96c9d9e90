// Shared setup of the MutationEngine suites: sample data in a real in-memory DuckDB and a plan executor that records.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import type { MutationPlan, RowResult } from '../mutations/types.ts';
import { loadSampleData } from '../sample/load.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import {
  MutationEngine,
  isMutationFailure,
  type MutationFailure,
  type MutationPreview,
  type PlanExecutor,
} from './mutations.ts';

/** The plans the recorder was handed; the real write-back is exercised against the sandboxes in test/. */
export const executed: MutationPlan[] = [];

/** Answers every row as written (200, updated locally) and remembers the plan in `executed`. */
export const recorder: PlanExecutor = {
  async execute(plan) {
    executed.push(plan);
    return plan.rows.map((r): RowResult => ({
      index: r.index,
      id: r.id,
      status: 'ok',
      http_status: 200,
      local: 'updated',
    }));
  },
};

/** An in-memory database holding the sample data, with stripe and hubspot registered as their real types. */
export async function sampleDB(clock: ManualClock): Promise<DinobaseDB> {
  const db = memoryDB(clock);
  await loadSampleData(db);
  await db.addSource({ name: 'stripe', type: 'stripe' });
  await db.addSource({ name: 'hubspot', type: 'hubspot' });
  return db;
}

export function preview(result: unknown): MutationPreview {
  if (isMutationFailure(result)) throw new Error(`expected a preview, got: ${result.error}`);
  return result as MutationPreview;
}

export const failed = (result: unknown): string => (result as MutationFailure).error;

/** The first Stripe customer by id, as the local table has it now. */
export async function firstCustomerOf(
  db: DinobaseDB,
): Promise<{ id: string; name: string | null; email: string }> {
  const [row] = await db.query('SELECT id, name, email FROM stripe.customers ORDER BY id LIMIT 1');
  return row as { id: string; name: string | null; email: string };
}

/** Both suites' clock, database and engine: live bindings the hooks below set. */
export const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
export let db: DinobaseDB;
export let engine: MutationEngine;

/** Registers the hooks both suites share: one sample database per file, a fresh engine and recorder per test. */
export function mutationSuite(): void {
  beforeAll(async () => {
    db = await sampleDB(clock);
  });
  afterAll(() => db.close());
  beforeEach(() => {
    executed.length = 0;
    engine = new MutationEngine(db, { clock, writer: recorder });
  });
}

export const firstCustomer = () => firstCustomerOf(db);
