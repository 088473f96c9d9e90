import { describe, expect, it } from 'vitest';
import type { CatalogSource, SourceSyncStatus } from '../../worker/api.ts';
import type { SourceSummary as ProxySource } from './proxy.ts';
import { badgeOf, badgeTitle, previewSql, sourceEntries, syncedText } from './sources.ts';

const catalog = (name: string, extra: Partial<CatalogSource> = {}): CatalogSource => ({
  name,
  type: name,
  tables: [{ name: 'customers', rows: 3 }],
  table_count: 1,
  total_rows: 3,
  last_sync: '2026-06-01 10:00:00',
  age: '5m',
  freshness_threshold: '1h',
  is_stale: false,
  ...extra,
});
const proxy = (name: string): ProxySource => ({
  name,
  type: 'stripe',
  base_url: 'https://api.stripe.com',
  sandbox: false,
  credentials_set: true,
  missing: [],
  settings: {},
  origin: 'file',
  env_overrides: [],
});
const status = (name: string, extra: Partial<SourceSyncStatus> = {}): SourceSyncStatus => ({
  name,
  type: 'stripe',
  sync_interval: null,
  next_run_at: null,
  syncing: null,
  last_success_at: null,
  data_deleted_at: null,
  last_attempt: null,
  ...extra,
});

describe('source entries', () => {
  it('merges the catalog, the proxy and the engine by name, sorted', () => {
    const entries = sourceEntries([catalog('hubspot')], [proxy('stripe_live')], [status('stripe_live')]);
    expect(entries.map((e) => [e.name, e.type, !!e.catalog, !!e.proxy, !!e.status])).toEqual([
      ['hubspot', 'hubspot', true, false, false],
      ['stripe_live', 'stripe', false, true, true],
    ]);
  });

  it('picks the badge: syncing, then a failed last sync, then freshness', () => {
    const [fresh] = sourceEntries([catalog('a')], [], [status('a')]);
    expect(badgeOf(fresh!, true)).toBe('syncing');
    expect(badgeOf(fresh!, false)).toBe('fresh');
    expect(badgeTitle(fresh!, 'fresh')).toBe('Synced 5m ago (stale after 1h)');
    const [stale] = sourceEntries([catalog('a', { is_stale: true, age: '2h' })], [], []);
    expect(badgeOf(stale!, false)).toBe('stale');
    const failed = status('a', { last_attempt: { status: 'error', finished_at: null, error: 'HTTP 401' } });
    const [broken] = sourceEntries([catalog('a')], [], [failed]);
    expect(badgeOf(broken!, false)).toBe('error');
    expect(badgeTitle(broken!, 'error')).toBe('Last sync failed: HTTP 401');
    const [sample] = sourceEntries([catalog('a', { is_stale: undefined, type: 'sample' })], [], []);
    expect(badgeOf(sample!, false)).toBe('sample');
    const [fresh2] = sourceEntries([], [proxy('a')], [status('a')]);
    expect(badgeOf(fresh2!, false)).toBe('never');
    const scratchSource = catalog('scratch', { is_stale: undefined, age: undefined, last_sync: null });
    const [scratch] = sourceEntries([scratchSource], [], []);
    expect(badgeOf(scratch!, false)).toBe('scratch');
    expect(badgeTitle(scratch!, 'scratch')).toMatch(/^Your own tables, views and macros/);
  });

  it('says when the data was deleted and nothing synced since, and that a stopped sync is no failure', () => {
    const deleted = status('a', { data_deleted_at: '2026-06-01T10:00:00.000Z' });
    const [gone] = sourceEntries([], [proxy('a')], [deleted]);
    expect(badgeOf(gone!, false)).toBe('never');
    expect(badgeTitle(gone!, 'never')).toBe('Data deleted; not synced since');
    const stopped = status('a', { last_attempt: { status: 'cancelled', finished_at: null, error: 'x' } });
    const [kept] = sourceEntries([catalog('a')], [], [stopped]);
    expect(badgeOf(kept!, false)).toBe('fresh');
  });

  it('says how many records a sync wrote and how many rows they became', () => {
    const result = { rows_synced: 533, rows_written: 1263, tables_synced: 8 };
    expect(syncedText(result)).toBe('Synced 533 records → 1,263 rows in 8 tables (child tables included).');
    expect(syncedText({ rows_synced: 12, rows_written: 12, tables_synced: 1 })).toBe(
      'Synced 12 records in 1 table.',
    );
    expect(syncedText({ rows_synced: 1, rows_written: 1, tables_synced: 1 })).toBe(
      'Synced 1 record in 1 table.',
    );
  });

  it('quotes identifiers in the preview query only when needed', () => {
    expect(previewSql('stripe', 'customers')).toBe('SELECT * FROM stripe.customers LIMIT 100;');
    expect(previewSql('crm', 'Deal "X"')).toBe('SELECT * FROM crm."Deal ""X""" LIMIT 100;');
  });
});
