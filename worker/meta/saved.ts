// Saved queries in `_dinobase.saved_queries`: named SQL the editor, the CLI and agents share; written only here.
import { MAX_SQL_BYTES, formatBytes, utf8Bytes } from '../../common/sql-guard.ts';
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';
import { ConfigError } from '../errors.ts';
import { tableToRows } from '../values.ts';

export interface SavedQuery {
  name: string;
  sql: string;
  description: string | null;
  /** ISO 8601 in UTC, from the engine's clock. */
  created_at: string;
  updated_at: string;
}

export interface SaveQueryRequest {
  name: string;
  sql: string;
  /** Left out: an overwrite keeps the stored description; null clears it. */
  description?: string | null;
  /** Replace a saved query of the same name; without it that name is refused (`would_replace`). */
  overwrite?: boolean;
}

/** Long enough for a sentence, short enough for a sidebar row and a CLI argument. */
export const SAVED_NAME_MAX = 120;
export const SAVED_DESCRIPTION_MAX = 2_000;

const COLUMNS = `name, sql, description,
  strftime(created_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS created_at,
  strftime(updated_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS updated_at`;

/** The name as stored (trimmed); a ConfigError naming the value when it is empty, too long or has control characters. */
export function checkSavedName(name: unknown, what = 'name'): string {
  if (typeof name !== 'string') {
    throw new ConfigError('invalid_argument', `A saved query's ${what} must be text, got ${typeof name}.`);
  }
  const trimmed = name.trim();
  if (trimmed === '') throw new ConfigError('invalid_argument', `A saved query's ${what} cannot be empty.`);
  if (trimmed.length > SAVED_NAME_MAX) {
    throw new ConfigError(
      'invalid_argument',
      `Saved query ${what} '${trimmed.slice(0, 40)}…' is ${trimmed.length} characters long: the limit is ${SAVED_NAME_MAX}.`,
    );
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new ConfigError(
      'invalid_argument',
      `Saved query ${what} ${JSON.stringify(trimmed)} contains a control character (a newline or tab): use plain text.`,
    );
  }
  return trimmed;
}

function checkSql(name: string, sql: unknown): string {
  if (typeof sql !== 'string' || sql.trim() === '') {
    throw new ConfigError('invalid_argument', `Saved query '${name}' needs SQL to save; it is empty.`);
  }
  const bytes = utf8Bytes(sql);
  if (bytes > MAX_SQL_BYTES) {
    throw new ConfigError(
      'invalid_argument',
      `The SQL of saved query '${name}' is ${formatBytes(bytes)}: the limit is ${formatBytes(MAX_SQL_BYTES)}.`,
    );
  }
  return sql;
}

function checkDescription(name: string, description: unknown): string | null {
  if (description == null || description === '') return null;
  if (typeof description !== 'string') {
    throw new ConfigError('invalid_argument', `The description of saved query '${name}' must be text.`);
  }
  if (description.length > SAVED_DESCRIPTION_MAX) {
    throw new ConfigError(
      'invalid_argument',
      `The description of saved query '${name}' is ${description.length} characters: the limit is ${SAVED_DESCRIPTION_MAX}.`,
    );
  }
  return description;
}

function toSaved(row: Record<string, unknown>): SavedQuery {
  return {
    name: String(row.name),
    sql: String(row.sql),
    description: row.description == null ? null : String(row.description),
    created_at: String(row.created_at),
    updated_at: String(row.updated_at),
  };
}

async function find(conn: DuckConnection, name: string): Promise<SavedQuery | null> {
  const rows = tableToRows(
    await conn.queryParams(`SELECT ${COLUMNS} FROM _dinobase.saved_queries WHERE name = ?`, [name]),
  );
  return rows[0] ? toSaved(rows[0]) : null;
}

function notFound(name: string): ConfigError {
  return new ConfigError('not_found', `No saved query named '${name}'.`);
}

function taken(name: string, hint: string): ConfigError {
  return new ConfigError('would_replace', `A saved query named '${name}' already exists: ${hint}`);
}

/** Every saved query, by name (case-insensitive); `search` keeps those whose name or SQL contains it, in any case. */
export async function listSaved(db: DinobaseDB, options: { search?: string } = {}): Promise<SavedQuery[]> {
  const search = (options.search ?? '').trim().toLowerCase();
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM _dinobase.saved_queries
     WHERE contains(lower(name), ?) OR contains(lower(sql), ?)
     ORDER BY lower(name), name`,
    [search, search],
  );
  return rows.map(toSaved);
}

/** The saved query `name`; a `not_found` ConfigError when there is none. */
export async function getSaved(db: DinobaseDB, name: string): Promise<SavedQuery> {
  const key = checkSavedName(name);
  const saved = await find(await db.conn, key);
  if (!saved) throw notFound(key);
  return saved;
}

/** Creates `name`, or replaces it with `overwrite` (keeping its created_at); a taken name is `would_replace`. */
export async function saveQuery(db: DinobaseDB, request: SaveQueryRequest): Promise<SavedQuery> {
  const name = checkSavedName(request.name);
  const sql = checkSql(name, request.sql);
  const description = checkDescription(name, request.description);
  const now = db.now();
  const saved = await db.transaction(async (conn) => {
    const existing = await find(conn, name);
    if (existing && !request.overwrite)
      throw taken(name, 'save with overwrite to replace it, or pick another name.');
    if (existing) {
      await conn.queryParams(
        `UPDATE _dinobase.saved_queries SET sql = ?, description = ?, updated_at = ?::TIMESTAMP WHERE name = ?`,
        [sql, request.description === undefined ? existing.description : description, now, name],
      );
    } else {
      await conn.queryParams(
        `INSERT INTO _dinobase.saved_queries (name, sql, description, created_at, updated_at)
         VALUES (?, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP)`,
        [name, sql, description, now, now],
      );
    }
    return (await find(conn, name))!;
  });
  await db.checkpoint();
  return saved;
}

/** Renames `from` to `to`; `from` must exist and `to` must be free (the same name is a no-op). */
export async function renameSaved(
  db: DinobaseDB,
  request: { from: string; to: string },
): Promise<SavedQuery> {
  const from = checkSavedName(request.from, 'current name');
  const to = checkSavedName(request.to, 'new name');
  const now = db.now();
  const saved = await db.transaction(async (conn) => {
    const existing = await find(conn, from);
    if (!existing) throw notFound(from);
    if (from === to) return existing;
    if (await find(conn, to)) throw taken(to, `rename '${from}' to a free name, or delete '${to}' first.`);
    // A new row and the old one deleted, rather than updating the primary key in place.
    await conn.queryParams(
      `INSERT INTO _dinobase.saved_queries (name, sql, description, created_at, updated_at)
       SELECT ?, sql, description, created_at, ?::TIMESTAMP FROM _dinobase.saved_queries WHERE name = ?`,
      [to, now, from],
    );
    await conn.queryParams('DELETE FROM _dinobase.saved_queries WHERE name = ?', [from]);
    return (await find(conn, to))!;
  });
  await db.checkpoint();
  return saved;
}

/** "name (copy)", then "name (copy 2)", "name (copy 3)"…, the base shortened when the suffix would not fit. */
export function copyName(name: string, n: number): string {
  const suffix = n === 1 ? ' (copy)' : ` (copy ${n})`;
  return `${name.slice(0, SAVED_NAME_MAX - suffix.length).trimEnd()}${suffix}`;
}

/** Copies `name` under the first free copy name; returns the copy. */
export async function duplicateSaved(db: DinobaseDB, request: { name: string }): Promise<SavedQuery> {
  const name = checkSavedName(request.name);
  const now = db.now();
  const saved = await db.transaction(async (conn) => {
    const existing = await find(conn, name);
    if (!existing) throw notFound(name);
    const names = new Set(
      tableToRows(await conn.query('SELECT name FROM _dinobase.saved_queries')).map((r) => String(r.name)),
    );
    let n = 1;
    while (names.has(copyName(name, n))) n++;
    const copy = copyName(name, n);
    await conn.queryParams(
      `INSERT INTO _dinobase.saved_queries (name, sql, description, created_at, updated_at)
       VALUES (?, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP)`,
      [copy, existing.sql, existing.description, now, now],
    );
    return (await find(conn, copy))!;
  });
  await db.checkpoint();
  return saved;
}

/** Deletes `name`; returns what was deleted, or a `not_found` ConfigError. */
export async function deleteSaved(db: DinobaseDB, request: { name: string }): Promise<SavedQuery> {
  const name = checkSavedName(request.name);
  const deleted = await db.transaction(async (conn) => {
    const existing = await find(conn, name);
    if (!existing) throw notFound(name);
    await conn.queryParams('DELETE FROM _dinobase.saved_queries WHERE name = ?', [name]);
    return existing;
  });
  await db.checkpoint();
  return deleted;
}
