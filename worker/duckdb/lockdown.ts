// What SQL may touch: only the database and the files the engine registered; never the network, never an extension.
import { QueryError } from '../errors.ts';
import { sqlValue } from '../sql.ts';

/**
 * The one directory SQL may read besides the database: `registerFile` puts its files here. Registered files
 * live in DuckDB-WASM's memory, never on a disk or a server.
 */
export const GIVEN_FILES_DIR = '/dinobase/files/';

/**
 * Run once per database, as it opens; the settings are global, so every connection (DuckDB's own too) has
 * them. `enable_external_access = false` is what holds: it refuses every path that is not in `allowed_paths`
 * or under `allowed_directories` (http(s)://, s3://, local files, in every table function, ATTACH and COPY)
 * before DuckDB-WASM's runtime would send a request, and it refuses to load an extension, which the
 * autoload settings alone do not stop (binding a TIMESTAMPTZ function still fetched icu). `lock_configuration`
 * then makes all of it permanent for this database: no SET or RESET can undo it. `disabled_filesystems`
 * does nothing here: DuckDB-WASM serves every path through its own file system, not DuckDB's named ones.
 */
export function lockdown(databasePath: string): string[] {
  // The OPFS file and its WAL by name: DuckDB opens a new WAL after a torn one, and refused that it hung.
  const own = databasePath.startsWith('opfs://') ? [databasePath, `${databasePath}.wal`] : [];
  return lockdownTo({ paths: own, directories: [GIVEN_FILES_DIR] });
}

/** The same lockdown with the paths and directories SQL may still touch spelled out (native DuckDB's real files). */
export function lockdownTo(allowed: { paths: string[]; directories: string[] }): string[] {
  return [
    'SET autoinstall_known_extensions = false',
    'SET autoload_known_extensions = false',
    'SET allow_community_extensions = false',
    `SET allowed_directories = [${allowed.directories.map(sqlValue).join(', ')}]`,
    `SET allowed_paths = [${allowed.paths.map(sqlValue).join(', ')}]`,
    'SET enable_external_access = false',
    'SET lock_configuration = true',
  ];
}

/** A file name `registerFile` accepts: one plain name, so it stays inside GIVEN_FILES_DIR. */
export function givenFilePath(name: string): string {
  if (!/^[\w][\w.-]*$/.test(name) || name.includes('..')) {
    throw new QueryError(
      'invalid_argument',
      `Cannot register the file "${name}": use a plain file name (letters, digits, ".", "-", "_").`,
    );
  }
  return `${GIVEN_FILES_DIR}${name}`;
}

const NEVER_ONLINE =
  'Dinobase never reaches the network from SQL: it reads only its own database and the files it was given. ' +
  'To bring in data from a service, add it as a source and sync it.';

/** Said after an extension error by DuckDB-WASM, which links only core functions. */
export const WASM_EXTENSION_HINT =
  'Extensions are not available: this offline build of DuckDB-WASM links only core functions and never downloads one.';

/** What works instead of each extension a query may reach for. */
const OFFLINE_ADVICE: Record<string, string> = {
  icu:
    'Time-zone functions need the icu extension: date_trunc, strftime, date_part, epoch and the like on ' +
    'TIMESTAMP WITH TIME ZONE values (to_timestamp(…), now(), current_timestamp). Time here is UTC, so cast to ' +
    "TIMESTAMP first: date_trunc('day', to_timestamp(created)::TIMESTAMP), or make_timestamp(created::BIGINT * 1000000).",
  json:
    'JSON functions need the json extension: json_extract, ->, ->>, ::JSON, read_json. Instead: synced nested ' +
    'objects are already parent__child columns and lists of objects child tables; for JSON kept as text ' +
    '(VARCHAR) use string functions such as regexp_extract.',
  parquet:
    'Parquet needs the parquet extension: read_parquet, parquet_scan, COPY … (FORMAT parquet). Save a result ' +
    'with Export CSV instead.',
};

/** The first line of DuckDB's message, with its own advice (INSTALL …, SET autoload…) dropped. */
function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** A scheme other than DuckDB-WASM's own opfs:// (http, https, s3, gcs, hf, …) names a remote file. */
function isRemote(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path) && !/^opfs:\/\//i.test(path);
}

/**
 * The QueryError for a refusal of the lockdown or a missing extension, or null when `message` is neither.
 * `message` is DuckDB's own (rendered as its CLI does).
 */
export function lockdownError(
  message: string,
  cause: unknown,
  extensionHint = WASM_EXTENSION_HINT,
): QueryError | null {
  const access = /Permission Error: Cannot access (?:file|directory|\w+) "([^"]*)"/.exec(message);
  if (access) {
    const path = access[1]!;
    if (isRemote(path))
      return new QueryError('network_refused', `"${path}" is a remote path. ${NEVER_ONLINE}`, { cause });
    return new QueryError(
      'refused',
      `Cannot read "${path}": Dinobase SQL reads only its own database and the files it was given, never other files.`,
      { cause },
    );
  }
  const locked = /Cannot change (?:configuration option "(\w+)"|(\w+) setting)/.exec(message);
  if (locked) {
    const option = locked[1] ?? locked[2];
    return new QueryError(
      'refused',
      `The DuckDB configuration is locked: "${option}" cannot be changed, so SQL can never turn network, ` +
        'file or extension access back on.',
      { cause },
    );
  }
  // Without icu, a function on a TIMESTAMPTZ that autoloading would have fixed finds no overload.
  const timeZone = /No function matches .*TIMESTAMP WITH TIME ZONE/.test(message) ? ['', 'icu'] : null;
  const named =
    timeZone ??
    /exists in the (\w+) extension/.exec(message) ??
    /required extension '(\w+)'/.exec(message) ??
    /extension "?(\w+)"? .*(?:not|could not) .*load/i.exec(message);
  const external = /(?:Loading|Installing) external extensions is disabled/.test(message);
  if (named || external || /INSTALL \w+;/.test(message)) {
    const extension = named?.[1]?.toLowerCase();
    const advice = extension ? OFFLINE_ADVICE[extension] : undefined;
    return new QueryError(
      'extension_unavailable',
      [firstLine(message), extensionHint, advice].filter(Boolean).join(' '),
      { cause },
    );
  }
  return null;
}
