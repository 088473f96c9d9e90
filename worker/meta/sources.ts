// The source registry in `_dinobase.sources`: name, type, base_url override, resources and schedule. Never credentials.
import { durationProblem, parseDuration } from '../../common/duration.ts';
import type { DinobaseDB } from '../db.ts';
import { ConfigError } from '../errors.ts';
import { INTERNAL_SCHEMA_NAMES, SCRATCH_SCHEMA } from './migrations.ts';

export interface SourceConfig {
  name: string;
  type: string;
  base_url?: string | null;
  resources?: string[] | null;
  sync_interval?: string | null;
  freshness_threshold?: string | null;
}

export interface StoredSource extends Required<SourceConfig> {
  created_at: string;
  updated_at: string;
}

/** The duration `value` in seconds (null when unset); a ConfigError naming `what` and the value if it is not one. */
export function checkDuration(what: string, value: string | null | undefined): number | null {
  if (value == null) return null;
  const problem = durationProblem(what, value);
  if (problem) throw new ConfigError('invalid_argument', problem);
  return parseDuration(value);
}

export function validateSource(config: SourceConfig): void {
  if (
    !/^[a-z][a-z0-9_]{0,62}$/.test(config.name) ||
    [...INTERNAL_SCHEMA_NAMES, SCRATCH_SCHEMA].includes(config.name)
  ) {
    throw new ConfigError(
      'invalid_argument',
      `Invalid source name '${config.name}': use lowercase letters, digits and _ (it becomes the schema name), not a reserved schema.`,
    );
  }
  if (!config.type) throw new ConfigError('invalid_argument', `Source '${config.name}' needs a type.`);
  if (config.base_url != null) {
    const url = URL.canParse(config.base_url) ? new URL(config.base_url) : null;
    if (!url || !/^https?:$/.test(url.protocol)) {
      throw new ConfigError(
        'invalid_argument',
        `Invalid base_url '${config.base_url}' for source '${config.name}': expected an http(s) URL.`,
      );
    }
  }
  checkDuration('sync interval', config.sync_interval);
  checkDuration('freshness threshold', config.freshness_threshold);
}

export async function addSource(db: DinobaseDB, config: SourceConfig): Promise<StoredSource> {
  validateSource(config);
  const now = db.now();
  await db.exclusive((conn) =>
    conn.queryParams(
      `INSERT INTO _dinobase.sources (name, type, base_url, resources, sync_interval, freshness_threshold, created_at, updated_at)
       VALUES (?, ?, ?, CASE WHEN ? IS NULL THEN NULL ELSE string_split(?, ',') END, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP)
       ON CONFLICT DO UPDATE SET type = EXCLUDED.type, base_url = EXCLUDED.base_url, resources = EXCLUDED.resources,
         sync_interval = EXCLUDED.sync_interval, freshness_threshold = EXCLUDED.freshness_threshold,
         updated_at = EXCLUDED.updated_at`,
      [
        config.name,
        config.type,
        config.base_url ?? null,
        config.resources?.join(',') ?? null,
        config.resources?.join(',') ?? null,
        config.sync_interval ?? null,
        config.freshness_threshold ?? null,
        now,
        now,
      ],
    ),
  );
  await db.checkpoint();
  return (await getSource(db, config.name))!;
}

export async function getSources(db: DinobaseDB): Promise<StoredSource[]> {
  const rows = await db.query(
    `SELECT name, type, base_url, resources, sync_interval, freshness_threshold, created_at, updated_at
     FROM _dinobase.sources ORDER BY name`,
  );
  return rows.map((r) => ({
    name: String(r.name),
    type: String(r.type),
    base_url: (r.base_url as string | null) ?? null,
    resources: (r.resources as string[] | null) ?? null,
    sync_interval: (r.sync_interval as string | null) ?? null,
    freshness_threshold: (r.freshness_threshold as string | null) ?? null,
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
  }));
}

export async function getSource(db: DinobaseDB, name: string): Promise<StoredSource | null> {
  return (await getSources(db)).find((s) => s.name === name) ?? null;
}

/**
 * Forgets the source; with `dropData` also drops its schema, sync state, catalog rows, annotations, tags, sample
 * marker and relationships (either end), cancels its pending mutations, and records the deletion in
 * `_dinobase.sync_log` (status `deleted`), so its history says the data went. The logs keep their rows.
 */
export async function removeSource(
  db: DinobaseDB,
  name: string,
  options: { dropData?: boolean } = {},
): Promise<boolean> {
  const source = await getSource(db, name);
  await db.transaction(async (conn) => {
    await conn.queryParams('DELETE FROM _dinobase.sources WHERE name = ?', [name]);
    // No longer team data: a source added again under this name syncs from its vendor unless pulled again.
    await conn.queryParams('DELETE FROM _dinobase.team_sources WHERE source = ?', [name]);
    if (!options.dropData) return;
    await conn.queryParams('DELETE FROM _dinobase.sync_state WHERE connector_name = ?', [name]);
    // A team source's pull record: without its tables, the next pull must download them again.
    await conn.queryParams('DELETE FROM _dinobase.team_tables WHERE source = ?', [name]);
    // The schema is the source's name; `annotate` keys the catalog rows it adds by schema.
    for (const table of ['tables', 'columns']) {
      await conn.queryParams(`DELETE FROM _dinobase.${table} WHERE connector_name = ? OR schema_name = ?`, [
        name,
        name,
      ]);
    }
    await conn.queryParams('DELETE FROM _dinobase.metadata WHERE schema_name = ?', [name]);
    await conn.queryParams('DELETE FROM _dinobase.relationships WHERE from_schema = ? OR to_schema = ?', [
      name,
      name,
    ]);
    // A preview's plan needs no local rows, so confirming it later would still write to the vendor.
    await conn.queryParams(
      `UPDATE _dinobase.mutations SET status = 'cancelled' WHERE connector_name = ? AND status = 'pending'`,
      [name],
    );
    await conn.query(`DROP SCHEMA IF EXISTS "${name.replaceAll('"', '""')}" CASCADE`);
    const now = db.now();
    await conn.queryParams(
      `INSERT INTO _dinobase.sync_log (connector_name, connector_type, started_at, finished_at, status)
       VALUES (?, COALESCE(?, (SELECT arg_max(connector_type, id) FROM _dinobase.sync_log WHERE connector_name = ?), 'unknown'),
         ?::TIMESTAMP, ?::TIMESTAMP, 'deleted')`,
      [name, source?.type ?? null, name, now, now],
    );
  });
  await db.checkpoint();
  return source !== null;
}
