// What the sidebar and the sources page show per source: the catalog, the proxy and the engine's view merged, and its badge.
import type { CatalogSource, SourceSyncStatus } from '../../worker/api.ts';
import type { SourceSummary as ProxySource } from './proxy.ts';

/**
 * `never`: registered, not synced yet; `sample`: loaded sample data, which never goes stale; `scratch`: the
 * user's own tables and views, never synced; `file`: imported local files, never stale.
 */
export type Badge = 'fresh' | 'stale' | 'syncing' | 'error' | 'never' | 'sample' | 'scratch' | 'file';

export const BADGE_LABELS: Record<Badge, string> = {
  fresh: 'fresh',
  stale: 'stale',
  syncing: 'syncing',
  error: 'error',
  never: 'not synced',
  sample: 'sample',
  scratch: 'yours',
  file: 'file',
};

export interface SourceEntry {
  name: string;
  type: string | null;
  /** Tables, rows and freshness; null until it has tables. */
  catalog: CatalogSource | null;
  /** What the server holds for it (credentials, origin); null for data the server does not know (sample data). */
  proxy: ProxySource | null;
  /** Its registration with the engine: interval, next run, latest sync. */
  status: SourceSyncStatus | null;
}

/** Every source any of the three knows, by name. */
export function sourceEntries(
  catalog: CatalogSource[],
  proxy: ProxySource[],
  status: SourceSyncStatus[],
): SourceEntry[] {
  const names = new Set([...catalog, ...proxy, ...status].map((s) => s.name));
  return [...names].sort().map((name) => {
    const c = catalog.find((s) => s.name === name) ?? null;
    const p = proxy.find((s) => s.name === name) ?? null;
    const s = status.find((x) => x.name === name) ?? null;
    return { name, type: p?.type ?? s?.type ?? c?.type ?? null, catalog: c, proxy: p, status: s };
  });
}

export function badgeOf(entry: SourceEntry, syncing: boolean): Badge {
  if (syncing) return 'syncing';
  if (entry.status?.last_attempt?.status === 'error') return 'error';
  const c = entry.catalog;
  if (c?.type === 'scratch') return 'scratch';
  if (c?.type === 'file') return 'file';
  if (c) {
    if (c.is_stale === undefined) return 'sample';
    return c.is_stale ? 'stale' : 'fresh';
  }
  return entry.status?.last_success_at ? 'fresh' : 'never';
}

/** The badge's tooltip: when it last synced, or why the last sync failed. */
export function badgeTitle(entry: SourceEntry, badge: Badge): string {
  if (badge === 'error') return `Last sync failed: ${entry.status?.last_attempt?.error ?? 'unknown error'}`;
  if (badge === 'sample') return 'Sample data: loaded once, never stale';
  if (badge === 'scratch')
    return 'Your own tables, views and macros (CREATE TABLE scratch.x AS …): never synced';
  if (badge === 'file') return 'Imported local files (drop a file, or ⇪ File): read-only to SQL, never stale';
  if (badge === 'syncing') return 'Syncing now';
  const age = entry.catalog?.age;
  if (age) {
    const threshold = entry.catalog?.freshness_threshold;
    return `Synced ${age} ago${threshold ? ` (stale after ${threshold})` : ''}`;
  }
  return entry.status?.data_deleted_at ? 'Data deleted; not synced since' : 'Never synced';
}

/** "1,263 rows, 8 tables". */
export function totals(counts: { total_rows: number; table_count: number }): string {
  const tables = `${counts.table_count} ${counts.table_count === 1 ? 'table' : 'tables'}`;
  return `${counts.total_rows.toLocaleString()} rows, ${tables}`;
}

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;

/**
 * A finished sync in words: the records it wrote and, when lists inside them became child tables, the rows
 * all that came to (the sidebar counts rows): "Synced 533 records → 1,263 rows in 8 tables (…)".
 */
export function syncedText(result: {
  rows_synced: number;
  rows_written: number;
  tables_synced: number;
}): string {
  const tables = plural(result.tables_synced, 'table');
  const records = plural(result.rows_synced, 'record');
  if (result.rows_written === result.rows_synced) return `Synced ${records} in ${tables}.`;
  return `Synced ${records} → ${plural(result.rows_written, 'row')} in ${tables} (child tables included).`;
}

/** `schema.table`, quoted only where DuckDB needs it. */
export function qualifiedName(schema: string, table: string): string {
  const quote = (id: string) => (/^[a-z_][a-z0-9_]*$/.test(id) ? id : `"${id.replaceAll('"', '""')}"`);
  return `${quote(schema)}.${quote(table)}`;
}

/** The "preview rows" query of a table. */
export function previewSql(schema: string, table: string): string {
  return `SELECT * FROM ${qualifiedName(schema, table)} LIMIT 100;`;
}
