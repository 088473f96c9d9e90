// What this database pulled of the team's published data: `_dinobase.team_sources` and `_dinobase.team_tables`.
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';

export interface TeamSourceRecord {
  source: string;
  source_type: string;
  /** The manifest version last pulled; null before the first pull, or after the working set changed. */
  version: string | null;
  published_at: string | null;
  pulled_at: string | null;
}

export interface TeamTableRecord {
  table: string;
  version: string;
  sha256: string;
  rows: number;
  bytes: number;
  published_at: string;
  pulled_at: string;
}

const text = (v: unknown) => (v == null ? null : String(v));

export async function teamSources(db: DinobaseDB): Promise<Map<string, TeamSourceRecord>> {
  const rows = await db.query(
    `SELECT source, source_type, version, published_at::VARCHAR AS published_at, pulled_at::VARCHAR AS pulled_at
     FROM _dinobase.team_sources ORDER BY source`,
  );
  return new Map(
    rows.map((r) => [
      String(r.source),
      {
        source: String(r.source),
        source_type: String(r.source_type),
        version: text(r.version),
        published_at: text(r.published_at),
        pulled_at: text(r.pulled_at),
      },
    ]),
  );
}

export async function teamTables(db: DinobaseDB, source: string): Promise<Map<string, TeamTableRecord>> {
  const rows = await db.query(
    `SELECT table_name, version, sha256, rows, bytes, published_at::VARCHAR AS published_at,
       pulled_at::VARCHAR AS pulled_at FROM _dinobase.team_tables WHERE source = ? ORDER BY table_name`,
    [source],
  );
  return new Map(
    rows.map((r) => [
      String(r.table_name),
      {
        table: String(r.table_name),
        version: String(r.version),
        sha256: String(r.sha256),
        rows: Number(r.rows),
        bytes: Number(r.bytes),
        published_at: String(r.published_at),
        pulled_at: String(r.pulled_at),
      },
    ]),
  );
}

/**
 * Marks `source` as team data. A changed working set forgets the pulled version, so the next pull reads the
 * manifest again instead of accepting a 304 for tables it never had.
 */
export async function markTeam(
  db: DinobaseDB,
  source: string,
  type: string,
  changed: boolean,
): Promise<void> {
  await db.exclusive((conn) =>
    conn.queryParams(
      `INSERT INTO _dinobase.team_sources (source, source_type) VALUES (?, ?)
       ON CONFLICT DO UPDATE SET source_type = EXCLUDED.source_type,
         version = CASE WHEN ? THEN NULL ELSE team_sources.version END`,
      [source, type, changed],
    ),
  );
}

/** Forgets a mark whose source was never registered (its registration failed). */
export async function unmarkTeam(db: DinobaseDB, source: string): Promise<void> {
  await db.exclusive((conn) =>
    conn.queryParams('DELETE FROM _dinobase.team_sources WHERE source = ?', [source]),
  );
}

/** Records one committed pull, inside its transaction. */
export async function recordPull(
  conn: DuckConnection,
  source: string,
  pull: {
    version: string;
    published_at: string;
    now: string;
    tables: Omit<TeamTableRecord, 'pulled_at' | 'published_at'>[];
    dropped: string[];
  },
): Promise<void> {
  for (const table of pull.dropped) {
    await conn.queryParams('DELETE FROM _dinobase.team_tables WHERE source = ? AND table_name = ?', [
      source,
      table,
    ]);
  }
  for (const t of pull.tables) {
    await conn.queryParams(
      `INSERT OR REPLACE INTO _dinobase.team_tables
         (source, table_name, version, sha256, rows, bytes, published_at, pulled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP)`,
      [source, t.table, t.version, t.sha256, t.rows, t.bytes, pull.published_at, pull.now],
    );
  }
  await conn.queryParams(
    `UPDATE _dinobase.team_sources SET version = ?, published_at = ?::TIMESTAMP, pulled_at = ?::TIMESTAMP
     WHERE source = ?`,
    [pull.version, pull.published_at, pull.now, source],
  );
}

/** A pull that found nothing new (a 304) still says when it last looked. */
export async function touchPull(db: DinobaseDB, source: string): Promise<void> {
  await db.exclusive((conn) =>
    conn.queryParams('UPDATE _dinobase.team_sources SET pulled_at = ?::TIMESTAMP WHERE source = ?', [
      db.now(),
      source,
    ]),
  );
}
