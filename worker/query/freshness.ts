// Freshness of a source: when it last synced successfully and whether that is older than its threshold.
import { humanDuration, parseDuration } from '../../common/duration.ts';
import { fromSqlTimestamp } from '../clock.ts';
import type { DinobaseDB } from '../db.ts';
import { SAMPLE_SCHEMAS_SQL } from '../meta/origin.ts';

/** Source types whose data is not fetched from an API, so it never goes stale. */
const NEVER_STALE_TYPES = new Set(['sample', 'parquet', 'csv']);
export const DEFAULT_FRESHNESS_SECONDS = 3600;

export interface SourceFreshness {
  name: string;
  type: string | null;
  last_sync: string | null;
  age_seconds: number | null;
  age: string | null;
  threshold_seconds: number | null;
  freshness_threshold: string | null;
  is_stale: boolean;
}

interface SourceRow {
  name: string;
  type: string | null;
  threshold: string | null;
  last: string | null;
}

/**
 * Freshness of every known source (registered, ever synced, or holding sample data), keyed by name, in one
 * round trip. A schema holding sample data is of type `sample`, "synced" when it was loaded.
 */
export async function loadFreshness(db: DinobaseDB): Promise<Map<string, SourceFreshness>> {
  const rows = (await db.query(`
    WITH logs AS (
      SELECT connector_name AS name, arg_max(connector_type, started_at) AS type,
             MAX(finished_at) FILTER (WHERE status = 'success') AS last
      FROM _dinobase.sync_log GROUP BY connector_name),
    known AS (
      SELECT COALESCE(s.name, l.name) AS name, COALESCE(s.type, l.type) AS type,
             s.freshness_threshold AS threshold, l.last AS last
      FROM _dinobase.sources s FULL OUTER JOIN logs l ON s.name = l.name)
    SELECT COALESCE(k.name, m.name) AS name, CASE WHEN m.name IS NULL THEN k.type ELSE 'sample' END AS type,
           CASE WHEN m.name IS NULL THEN k.threshold END AS threshold,
           COALESCE(m.loaded_at::TIMESTAMP, t.published_at, k.last) AS last
    FROM known k FULL OUTER JOIN (${SAMPLE_SCHEMAS_SQL}) m ON k.name = m.name
    -- Team data is as fresh as its publish, not as its pull.
    LEFT JOIN _dinobase.team_sources t ON t.source = k.name`)) as unknown as SourceRow[];
  const now = db.clock.now();
  const out = new Map<string, SourceFreshness>();
  for (const row of rows) {
    const thresholdSeconds = row.threshold
      ? parseDuration(row.threshold)
      : row.type && NEVER_STALE_TYPES.has(row.type)
        ? null
        : DEFAULT_FRESHNESS_SECONDS;
    const ageSeconds = row.last ? Math.max(0, Math.floor((now - fromSqlTimestamp(row.last)) / 1000)) : null;
    out.set(row.name, {
      name: row.name,
      type: row.type,
      last_sync: row.last,
      age_seconds: ageSeconds,
      age: ageSeconds === null ? null : humanDuration(ageSeconds),
      threshold_seconds: thresholdSeconds,
      freshness_threshold: thresholdSeconds === null ? null : humanDuration(thresholdSeconds),
      is_stale: thresholdSeconds === null ? false : ageSeconds === null || ageSeconds > thresholdSeconds,
    });
  }
  return out;
}
