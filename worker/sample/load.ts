// "Load sample data": the deterministic RevOps dataset normalised and loaded through Arrow, as a sync would.
import type { SampleLoadResult, SampleProgress } from '../api.ts';
import { builtinConnectors } from '../connectors/builtin.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type { ConnectorSpec } from '../connectors/spec.ts';
import type { DinobaseDB } from '../db.ts';
import { loadTables, type LoadItem } from '../ingest/load.ts';
import { normalize } from '../ingest/normalize.ts';
import { annotationsOf, primaryKey, typeHints } from '../sync/plan.ts';
import { generateDataset } from './dataset.ts';

/** The sample uses each connector's own resource definitions, so loaded tables match what a sync produces. */
function sampleItems(
  source: 'stripe' | 'hubspot',
  connectors: ConnectorRegistry,
): { items: LoadItem[]; spec: ConnectorSpec } {
  const data = generateDataset();
  const spec = connectors.get(source);
  const records: Record<string, unknown[]> = { ...data[source] };
  const items = spec.resources
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
  return { items, spec };
}

export async function loadSampleData(
  db: DinobaseDB,
  options: { onProgress?: (progress: SampleProgress) => void; connectors?: ConnectorRegistry } = {},
): Promise<SampleLoadResult> {
  const started = performance.now();
  const connectors = options.connectors ?? builtinConnectors();
  const result: SampleLoadResult = { sources: [], rows_loaded: 0, elapsed_ms: 0 };
  const plans = (['stripe', 'hubspot'] as const).map((source) => ({
    source,
    ...sampleItems(source, connectors),
  }));
  const total = plans.reduce((n, p) => n + p.items.length, 0);
  let done = 0;
  for (const { source, items, spec } of plans) {
    const logId = await db.logSyncStart(source, 'sample');
    try {
      const loaded = await loadTables(() => db.connect(), source, items);
      const rows = items.reduce((n, t) => n + (loaded.rows[t.root] ?? 0), 0);
      for (const t of items) {
        options.onProgress?.({ source, table: t.root, rows: loaded.rows[t.root] ?? 0, done: ++done, total });
      }
      result.sources.push({ name: source, tables: Object.keys(loaded.rows).length, rows });
      result.rows_loaded += rows;
      await db.updateTableMetadata(source, source, annotationsOf(spec));
      await db.logSyncEnd(logId, 'success', {
        tablesSynced: Object.keys(loaded.rows).length,
        rowsSynced: rows,
      });
    } catch (error) {
      await db.logSyncEnd(logId, 'error', { errorMessage: String(error) });
      throw error;
    }
  }
  result.elapsed_ms = Math.round(performance.now() - started);
  return result;
}
