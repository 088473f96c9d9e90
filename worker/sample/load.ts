// "Load sample data": the deterministic RevOps dataset normalised and loaded through Arrow, as a sync would.
import type { SampleLoadResult, SampleProgress } from '../api.ts';
import type { Annotations, DinobaseDB } from '../db.ts';
import { loadTables, type LoadItem } from '../ingest/load.ts';
import { normalize } from '../ingest/normalize.ts';
import type { ColumnType } from '../ingest/types.ts';
import { generateDataset } from './dataset.ts';

const UNIX = 'Unix timestamp (seconds since epoch). Use to_timestamp() to convert.';
const CENTS = 'Amount in cents: divide by 100 for dollars.';

interface SampleTable {
  source: 'stripe' | 'hubspot';
  table: string;
  records: unknown[];
  unwrap?: string[];
  hints?: Record<string, ColumnType>;
}

/** Column notes every sampled (and later synced) table carries; "amounts in cents" is the classic trap. */
export const SAMPLE_ANNOTATIONS: Record<'stripe' | 'hubspot', Annotations> = {
  stripe: {
    customers: {
      email: { description: "The customer's email address.", note: 'Join key with hubspot.contacts.email' },
      balance: { description: 'Current balance.', note: CENTS },
      created: { description: 'Time at which the customer was created.', note: UNIX },
      delinquent: { description: 'Whether the latest charge or invoice failed.' },
    },
    subscriptions: {
      customer: { description: 'ID of the customer (stripe.customers.id).' },
      status: { description: 'Subscription status.', note: 'Values: active, canceled, past_due, trialing' },
      created: { note: UNIX },
      current_period_start: { note: UNIX },
      current_period_end: { note: UNIX },
      canceled_at: { note: UNIX },
    },
    charges: {
      amount: { description: 'Amount charged.', note: CENTS },
      customer: { description: 'ID of the customer (stripe.customers.id).' },
      status: { description: 'Charge status.', note: 'Values: succeeded, failed, pending' },
      created: { note: UNIX },
    },
    invoices: {
      amount_due: { note: CENTS },
      amount_paid: { note: CENTS },
      amount_remaining: { note: CENTS },
      customer: { description: 'ID of the customer (stripe.customers.id).' },
      subscription: { description: 'ID of the subscription (stripe.subscriptions.id).' },
      status: { note: 'Values: paid, open, void' },
      created: { note: UNIX },
      due_date: { note: UNIX },
    },
    prices: { unit_amount: { description: 'Price per unit.', note: CENTS } },
  },
  hubspot: {
    contacts: {
      email: { description: "The contact's email address.", note: 'Join key with stripe.customers.email' },
    },
    deals: {
      amount: { description: 'Deal value.', note: 'In dollars, not cents' },
      dealstage: { note: 'Closed deals are closedwon or closedlost' },
    },
    companies: { annualrevenue: { note: 'In dollars' } },
  },
};

const HUBSPOT_HINTS: Record<string, ColumnType> = {
  amount: 'DOUBLE',
  annualrevenue: 'DOUBLE',
  numberofemployees: 'BIGINT',
};

function sampleTables(): SampleTable[] {
  const data = generateDataset();
  const hubspot = (table: string, records: unknown[]): SampleTable => ({
    source: 'hubspot',
    table,
    records,
    unwrap: ['properties'],
    hints: HUBSPOT_HINTS,
  });
  return [
    { source: 'stripe', table: 'customers', records: data.stripe.customers },
    { source: 'stripe', table: 'products', records: data.stripe.products },
    { source: 'stripe', table: 'prices', records: data.stripe.prices },
    { source: 'stripe', table: 'subscriptions', records: data.stripe.subscriptions },
    { source: 'stripe', table: 'charges', records: data.stripe.charges },
    { source: 'stripe', table: 'invoices', records: data.stripe.invoices },
    hubspot('contacts', data.hubspot.contacts),
    hubspot('companies', data.hubspot.companies),
    hubspot('deals', data.hubspot.deals),
    { source: 'hubspot', table: 'owners', records: data.hubspot.owners },
  ];
}

export async function loadSampleData(
  db: DinobaseDB,
  options: { onProgress?: (progress: SampleProgress) => void } = {},
): Promise<SampleLoadResult> {
  const started = performance.now();
  const tables = sampleTables();
  const result: SampleLoadResult = { sources: [], rows_loaded: 0, elapsed_ms: 0 };
  let done = 0;
  for (const source of ['stripe', 'hubspot'] as const) {
    const mine = tables.filter((t) => t.source === source);
    const logId = await db.logSyncStart(source, 'sample');
    try {
      const items: LoadItem[] = mine.map((t) => ({
        root: t.table,
        disposition: 'replace',
        tables: normalize(t.records, {
          table: t.table,
          primaryKey: ['id'],
          unwrap: t.unwrap,
          hints: t.hints,
        }),
      }));
      const conn = await db.connect();
      try {
        await conn.query('BEGIN TRANSACTION');
        const loaded = await loadTables(conn, source, items);
        await conn.query('COMMIT');
        const rows = mine.reduce((n, t) => n + (loaded.rows[t.table] ?? 0), 0);
        for (const t of mine) {
          options.onProgress?.({
            source,
            table: t.table,
            rows: loaded.rows[t.table] ?? 0,
            done: ++done,
            total: tables.length,
          });
        }
        result.sources.push({ name: source, tables: Object.keys(loaded.rows).length, rows });
        result.rows_loaded += rows;
        await db.updateTableMetadata(source, source, SAMPLE_ANNOTATIONS[source]);
        await db.logSyncEnd(logId, 'success', {
          tablesSynced: Object.keys(loaded.rows).length,
          rowsSynced: rows,
        });
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        await conn.close();
      }
    } catch (error) {
      await db.logSyncEnd(logId, 'error', { errorMessage: String(error) });
      throw error;
    }
  }
  result.elapsed_ms = Math.round(performance.now() - started);
  return result;
}
