// The `_dinobase` metadata schema as ordered, idempotent migrations; later versions append, never edit.
import { toSqlTimestamp, type Clock } from '../clock.ts';
import type { DuckConnection } from '../duckdb/index.ts';
import { ConfigError } from '../errors.ts';
import { tableToRows } from '../values.ts';

export const META_SCHEMA = '_dinobase';
/** Where the loader stages Arrow batches inside a sync's transaction; always empty between syncs. */
export const STAGING_SCHEMA = '_dinobase_staging';
/**
 * Where user SQL may create, change and drop its own tables, views and macros (worker/query/scratch.ts says
 * which statements); it persists and travels in backups like any schema.
 */
export const SCRATCH_SCHEMA = 'scratch';
/** Schemas a source may never be named after. */
export const INTERNAL_SCHEMA_NAMES = [
  'information_schema',
  'pg_catalog',
  'main',
  'temp',
  'system',
  META_SCHEMA,
  STAGING_SCHEMA,
];

export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

/**
 * JSON-valued columns are VARCHAR: the json extension is not linked into this DuckDB-WASM build.
 * All timestamps are written by the engine from its clock, in UTC.
 */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'sync log, table and column catalog, mutations, relationships, tags, sources, sync state',
    statements: [
      `CREATE SEQUENCE IF NOT EXISTS _dinobase.sync_log_seq START 1`,
      `CREATE SEQUENCE IF NOT EXISTS _dinobase.mutation_seq START 1`,
      `CREATE TABLE IF NOT EXISTS _dinobase.sync_log (
        id INTEGER PRIMARY KEY DEFAULT nextval('_dinobase.sync_log_seq'),
        connector_name VARCHAR NOT NULL,
        connector_type VARCHAR NOT NULL,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        status VARCHAR NOT NULL DEFAULT 'running',
        tables_synced INTEGER DEFAULT 0,
        rows_synced BIGINT DEFAULT 0,
        error_message VARCHAR
      )`,
      `CREATE TABLE IF NOT EXISTS _dinobase.tables (
        connector_name VARCHAR NOT NULL,
        schema_name VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        row_count BIGINT DEFAULT 0,
        last_sync TIMESTAMP,
        description VARCHAR,
        PRIMARY KEY (connector_name, schema_name, table_name)
      )`,
      `CREATE TABLE IF NOT EXISTS _dinobase.columns (
        connector_name VARCHAR NOT NULL,
        schema_name VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        column_name VARCHAR NOT NULL,
        column_type VARCHAR,
        is_nullable BOOLEAN DEFAULT true,
        description VARCHAR,
        note VARCHAR,
        PRIMARY KEY (connector_name, schema_name, table_name, column_name)
      )`,
      `CREATE TABLE IF NOT EXISTS _dinobase.mutations (
        id INTEGER PRIMARY KEY DEFAULT nextval('_dinobase.mutation_seq'),
        mutation_id VARCHAR NOT NULL UNIQUE,
        connector_name VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        operation VARCHAR NOT NULL,
        sql_text VARCHAR NOT NULL,
        preview VARCHAR,
        status VARCHAR NOT NULL DEFAULT 'pending',
        created_at TIMESTAMP NOT NULL,
        confirmed_at TIMESTAMP,
        executed_at TIMESTAMP,
        result VARCHAR,
        error_message VARCHAR
      )`,
      `CREATE TABLE IF NOT EXISTS _dinobase.relationships (
        from_schema VARCHAR NOT NULL,
        from_table VARCHAR NOT NULL,
        from_column VARCHAR NOT NULL,
        to_schema VARCHAR NOT NULL,
        to_table VARCHAR NOT NULL,
        to_column VARCHAR NOT NULL,
        cardinality VARCHAR NOT NULL DEFAULT 'one_to_many',
        confidence FLOAT NOT NULL DEFAULT 1.0,
        description VARCHAR,
        detected_at TIMESTAMP,
        PRIMARY KEY (from_schema, from_table, from_column, to_schema, to_table, to_column)
      )`,
      `CREATE TABLE IF NOT EXISTS _dinobase.metadata (
        schema_name VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        column_name VARCHAR NOT NULL DEFAULT '',
        key VARCHAR NOT NULL,
        value VARCHAR,
        PRIMARY KEY (schema_name, table_name, column_name, key)
      )`,
      `CREATE TABLE IF NOT EXISTS _dinobase.sources (
        name VARCHAR PRIMARY KEY,
        type VARCHAR NOT NULL,
        base_url VARCHAR,
        resources VARCHAR[],
        sync_interval VARCHAR,
        freshness_threshold VARCHAR,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS _dinobase.sync_state (
        connector_name VARCHAR NOT NULL,
        resource_name VARCHAR NOT NULL,
        cursor_value VARCHAR,
        state VARCHAR,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (connector_name, resource_name)
      )`,
    ],
  },
  {
    version: 2,
    description: 'mutation plans, expiry and batches; the write-back outbox',
    statements: [
      `ALTER TABLE _dinobase.mutations ADD COLUMN IF NOT EXISTS plan VARCHAR`,
      `ALTER TABLE _dinobase.mutations ADD COLUMN IF NOT EXISTS expires_at TIMESTAMP`,
      `ALTER TABLE _dinobase.mutations ADD COLUMN IF NOT EXISTS batch_id VARCHAR`,
      `CREATE TABLE IF NOT EXISTS _dinobase.mutation_rows (
        mutation_id VARCHAR NOT NULL,
        row_index INTEGER NOT NULL,
        row_id VARCHAR,
        state VARCHAR NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        http_status INTEGER,
        error VARCHAR,
        note VARCHAR,
        response VARCHAR,
        created_id VARCHAR,
        updated_at TIMESTAMP,
        PRIMARY KEY (mutation_id, row_index)
      )`,
    ],
  },
  {
    version: 3,
    description:
      'agents: the tool-call log, the client that created a mutation, annotations kept over re-syncs',
    statements: [
      `CREATE TABLE IF NOT EXISTS _dinobase.agent_log (
        called_at TIMESTAMP NOT NULL,
        tool VARCHAR NOT NULL,
        args VARCHAR,
        duration_ms DOUBLE NOT NULL,
        outcome VARCHAR NOT NULL,
        error VARCHAR,
        client VARCHAR,
        transport VARCHAR NOT NULL
      )`,
      `ALTER TABLE _dinobase.mutations ADD COLUMN IF NOT EXISTS client VARCHAR`,
      // Set by `annotate`: a re-sync's connector annotations then leave this column's description and note alone.
      `ALTER TABLE _dinobase.columns ADD COLUMN IF NOT EXISTS annotated BOOLEAN DEFAULT false`,
    ],
  },
  {
    version: 4,
    description: 'saved queries: named SQL kept in the database, so backups and the CLI carry them',
    statements: [
      `CREATE TABLE IF NOT EXISTS _dinobase.saved_queries (
        name VARCHAR PRIMARY KEY,
        sql VARCHAR NOT NULL,
        description VARCHAR,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      )`,
    ],
  },
  {
    version: 5,
    description: "the scratch schema: tables, views and macros of the user's own, next to the synced sources",
    statements: [`CREATE SCHEMA IF NOT EXISTS ${SCRATCH_SCHEMA}`],
  },
  {
    version: 6,
    description: 'imported files: which file each table of the files source came from (worker/files/)',
    statements: [
      `CREATE TABLE IF NOT EXISTS _dinobase.files (
        table_name VARCHAR PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        format VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL,
        row_count BIGINT NOT NULL,
        imported_at TIMESTAMP NOT NULL
      )`,
    ],
  },
  {
    version: 7,
    description: 'team data: the published datasets this database pulled, per source and per table',
    statements: [
      // A row marks the source as team data; version and times stay NULL until its first pull commits.
      `CREATE TABLE IF NOT EXISTS _dinobase.team_sources (
        source VARCHAR PRIMARY KEY,
        source_type VARCHAR NOT NULL,
        version VARCHAR,
        published_at TIMESTAMP,
        pulled_at TIMESTAMP
      )`,
      `CREATE TABLE IF NOT EXISTS _dinobase.team_tables (
        source VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        version VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        rows BIGINT NOT NULL,
        bytes BIGINT NOT NULL,
        published_at TIMESTAMP NOT NULL,
        pulled_at TIMESTAMP NOT NULL,
        PRIMARY KEY (source, table_name)
      )`,
    ],
  },
];

/** Which of `_dinobase` and its staging schema the database has, in one read. */
async function internalSchemas(conn: DuckConnection): Promise<Set<string>> {
  // In duckdb_schemas(), because duckdb_tables() costs ~180 ms on a 1M-row database.
  const rows = tableToRows(
    await conn.query(
      `SELECT schema_name FROM duckdb_schemas() WHERE schema_name IN ('${META_SCHEMA}', '${STAGING_SCHEMA}')`,
    ),
  );
  return new Set(rows.map((r) => String(r.schema_name)));
}

/** The version `_dinobase` is at: 0 for a database that has none yet. */
async function currentVersion(conn: DuckConnection, schemas?: Set<string>): Promise<number> {
  // Looked up rather than caught, because DuckDB-WASM's worker logs every failed query to the console.
  if (!(schemas ?? (await internalSchemas(conn))).has(META_SCHEMA)) return 0;
  const rows = await conn
    .query(`SELECT COALESCE(MAX(version), 0) AS v FROM ${META_SCHEMA}.schema_version`)
    .then(tableToRows)
    // A schema without its version table: an open that died between the two; migrating again is safe.
    .catch(() => [{ v: 0 }]);
  return Number(rows[0]?.v ?? 0);
}

/**
 * Brings `_dinobase` up to the latest version, one transaction per migration; returns how many ran. A
 * database already at the latest version costs one read (no DDL, so nothing lands in the WAL).
 */
export async function migrate(conn: DuckConnection, clock: Clock, schemas?: Set<string>): Promise<number> {
  const latest = MIGRATIONS.at(-1)!.version;
  if ((await currentVersion(conn, schemas)) === latest) return 0;
  await conn.query(`CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA}`);
  await conn.query(`CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.schema_version (
    version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP NOT NULL)`);
  const current = await currentVersion(conn);
  const pending = MIGRATIONS.filter((m) => m.version > current);
  for (const migration of pending) {
    await conn.query('BEGIN TRANSACTION');
    try {
      for (const statement of migration.statements) await conn.query(statement);
      await conn.queryParams(`INSERT INTO ${META_SCHEMA}.schema_version VALUES (?, ?, ?::TIMESTAMP)`, [
        migration.version,
        migration.description,
        toSqlTimestamp(clock.now()),
      ]);
      await conn.query('COMMIT');
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
  return pending.length;
}

/**
 * Every open, on the metadata connection: migrate, and drop the staging a sync left when it died with its tab
 * (nothing else runs yet). Whatever that wrote is checkpointed at once: a fresh database's WAL holds the
 * migrations, which DuckDB 1.4.3 cannot replay (`DEFAULT nextval(...)`: "GetDefaultDatabase with no default
 * database set"), so a tab closed before its first write would leave a database that never opens again.
 */
export async function prepareOnOpen(
  conn: DuckConnection,
  clock: Clock,
  options: { readOnly?: boolean } = {},
): Promise<void> {
  // A read-only file (a backup opened headless to look at) is read as it is: no migration, no cleanup.
  if (options.readOnly) {
    const latest = MIGRATIONS.at(-1)!.version;
    const current = await currentVersion(conn);
    if (current > 0 && current < latest) {
      throw new ConfigError(
        'invalid_argument',
        `This database is at Dinobase schema version ${current} and needs migrating to ${latest}: open it once ` +
          'without readOnly.',
      );
    }
    return;
  }
  // One read answers both questions (migrations create no staging), so a current database costs two in all.
  const schemas = await internalSchemas(conn);
  const applied = await migrate(conn, clock, schemas);
  const staged = schemas.has(STAGING_SCHEMA);
  if (staged) await conn.query(`DROP SCHEMA ${STAGING_SCHEMA} CASCADE`);
  if (applied > 0 || staged) {
    await conn
      .query('CHECKPOINT')
      .catch((error: unknown) => console.warn('Dinobase: checkpoint on open failed', error));
  }
}
