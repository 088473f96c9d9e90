// Why a native DuckDB open failed, said for the file: who holds its lock, which DuckDB wrote it.
import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError, NotReadyError, errorMessage } from '../errors.ts';

/** The storage version and DuckDB release written in a database file's header, if it has one. */
function fileHeader(path: string): { storage: number; writer: string | null } | null {
  const header = Buffer.alloc(84);
  try {
    const fd = openSync(path, 'r');
    try {
      if (readSync(fd, header, 0, header.length, 0) < header.length) return null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  if (header.toString('latin1', 8, 12) !== 'DUCK') return null;
  const writer = header.toString('latin1', 52, 84).replace(/\0.*$/s, '');
  return { storage: Number(header.readBigUInt64LE(12)), writer: /^v\d/.test(writer) ? writer : null };
}

/** DuckDB's open failures, said for this file: who holds its lock, which DuckDB wrote it. */
export function openError(error: unknown, path: string, version: string): Error {
  const message = errorMessage(error);
  const lock = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
  if (lock) {
    const readable = /read-only mode/.test(message);
    return new NotReadyError(
      'locked',
      `The database ${path} is in use by another process (PID ${lock[2]}, ${lock[1]}): DuckDB lets one process ` +
        `write a database file. Stop that process${readable ? ', or open the file read-only ({ readOnly: true }), which it allows' : ''}.`,
      { cause: error },
    );
  }
  const newer = /version number (\d+), but we can only read versions? (?:between )?(\d+)(?: and (\d+))?/.exec(
    message,
  );
  if (newer) {
    const header = fileHeader(path);
    const writer = header?.writer ? `DuckDB ${header.writer}` : 'a newer DuckDB';
    return new ConfigError(
      'invalid_argument',
      `Cannot open ${path}: it was written by ${writer} (storage version ${newer[1]}), and this engine is DuckDB ` +
        `${version}, which reads storage versions ${newer[2]}${newer[3] ? `–${newer[3]}` : ''}. Open it with that ` +
        `DuckDB and EXPORT DATABASE, then IMPORT DATABASE here.`,
      { cause: error },
    );
  }
  return new ConfigError('invalid_argument', `Cannot open the database ${path}: ${message}`, {
    cause: error,
  });
}
