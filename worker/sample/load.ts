// "Load sample data": the deterministic RevOps dataset normalised and loaded through Arrow, as a sync loads, but never posing as one.
import type { SampleLoadResult, SampleProgress } from '../api.ts';
import { builtinConnectors } from '../connectors/builtin.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type { ConnectorSpec } from '../connectors/spec.ts';
import type { DinobaseDB } from '../db.ts';
import { ConfigError } from '../errors.ts';
import { loadTables, type LoadItem } from '../ingest/load.ts';
import { normalize } from '../ingest/normalize.ts';
import { SAMPLE_SCHEMAS_SQL, markSample } from '../meta/origin.ts';
import { annotationsOf, primaryKey, typeHints } from '../sync/plan.ts';

/** The sources the sample fills; Linear and GitHub exist only as sandbox APIs to sync. */
export const SAMPLE_SOURCES = ['stripe', 'hubspot'] as const;
type SampleSource = (typeof SAMPLE_SOURCES)[number];

export interface SampleOptions {
  /** Replace sources that hold synced data; without it such a load is refused (code `would_replace`). */
  replace?: boolean;
  onProgress?: (progress: SampleProgress) => void;
  connectors?: ConnectorRegistry;
}

/** The sample uses each connector's own resource definitions, so loaded tables match what a sync produces. */
function sampleItems(records: Record<string, unknown[]>, spec: ConnectorSpec): LoadItem[] {
  return spec.resources
    .filter((resource) => records[resource.name])
    .map((resource) => ({
      root: resource.name,
      disposition: 'replace' as const,
      tables: normalize(records[resource.name]!, {
        table: resource.name,
        primaryKey: primaryKey(resource),
        unwrap: resource.unwrap,
        hints: typeHints(resource),
      }),
    }));
}

/** The sample sources whose schema holds tables that a sample load did not put there, with their rows. */
async function syncedData(db: DinobaseDB): Promise<{ name: string; rows: number }[]> {
  const names = SAMPLE_SOURCES.map((s) => `'${s}'`).join(', ');
  const rows = await db.query(
    `SELECT t.table_schema AS name, COALESCE(sum(c.row_count), 0) AS rows
     FROM information_schema.tables t
     LEFT JOIN _dinobase.tables c ON c.schema_name = t.table_schema AND c.table_name = t.table_name
     WHERE t.table_catalog = current_database() AND t.table_schema IN (${names})
       AND t.table_schema NOT IN (SELECT name FROM (${SAMPLE_SCHEMAS_SQL}))
     GROUP BY 1 ORDER BY list_position([${names}], t.table_schema)`,
  );
  return rows.map((r) => ({ name: String(r.name), rows: Number(r.rows) }));
}

function replacing(held: { name: string; rows: number }[]): string {
  const parts = held.map(({ name, rows }) =>
    rows > 0 ? `${name} (${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'})` : name,
  );
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0];
  return `${list} ${held.length > 1 ? 'hold' : 'holds'} synced data, which loading the sample data would replace.`;
}

/**
 * Loads Stripe and HubSpot sample data, each source in one transaction that also marks its schema as sample
 * data (its badge says so; it is never stale and writes no sync-log row) and forgets the source's sync
 * cursors. A source holding synced data is only replaced with `replace: true`.
 */
export async function loadSampleData(db: DinobaseDB, options: SampleOptions = {}): Promise<SampleLoadResult> {
  const started = performance.now();
  const held = await syncedData(db);
  if (held.length > 0 && !options.replace) throw new ConfigError('would_replace', replacing(held));
  // A chunk of its own in the browser: only a sample load needs the generator.
  const { generateDataset } = await import('./dataset.ts');
  const data = generateDataset();
  const connectors = options.connectors ?? builtinConnectors();
  const result: SampleLoadResult = { sources: [], rows_loaded: 0, elapsed_ms: 0 };
  const plans = SAMPLE_SOURCES.map((source: SampleSource) => {
    const spec = connectors.get(source);
    return { source, spec, items: sampleItems({ ...data[source] }, spec) };
  });
  const total = plans.reduce((n, p) => n + p.items.length, 0);
  let done = 0;
  for (const { source, items, spec } of plans) {
    const loaded = await loadTables(() => db.connect(), source, items, {
      replaceAll: true,
      within: async (conn) => {
        await conn.queryParams('DELETE FROM _dinobase.sync_state WHERE connector_name = ?', [source]);
        await markSample(conn, source, db.now());
      },
    });
    const rows = items.reduce((n, t) => n + (loaded.rows[t.root] ?? 0), 0);
    for (const t of items) {
      options.onProgress?.({ source, table: t.root, rows: loaded.rows[t.root] ?? 0, done: ++done, total });
    }
    result.sources.push({ name: source, tables: Object.keys(loaded.rows).length, rows });
    result.rows_loaded += rows;
    // Also the checkpoint that makes the load survive a browser restart.
    await db.updateTableMetadata(source, source, annotationsOf(spec));
  }
  result.elapsed_ms = Math.round(performance.now() - started);
  return result;
}
