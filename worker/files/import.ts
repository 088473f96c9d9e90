// Imports a local file into `files.<name>`: read into staging from its handle, then swapped in by one transaction.
import { toSqlTimestamp } from '../clock.ts';
import type { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';
import { ConfigError, DinobaseError, errorMessage } from '../errors.ts';
import { META_SCHEMA, STAGING_SCHEMA } from '../meta/migrations.ts';
import { qualified, quoteIdent } from '../sql.ts';
import { tableToRows } from '../values.ts';
import { withAttached } from './attach.ts';
import { asImportError, firstLine, type ImportProgress, type ReadContext } from './context.ts';
import { loadCsv, type CsvOptions } from './csv.ts';
import { loadJson, loadNdjson } from './json.ts';
import { checkTableName, FILES_SCHEMA, formatOf, tableNameFor, type FileFormat } from './names.ts';
import type { ParquetWasm } from '../parquet/types.ts';
import { loadParquet } from './parquet.ts';

export type { CsvOptions, FileFormat, ImportProgress };

export interface ImportFileRequest {
  /** A browser File (it crosses postMessage as a handle: its bytes are not copied), or any Blob with `fileName`. */
  file: Blob;
  /** The file's name when `file` is a bare Blob; default `file.name`. */
  fileName?: string;
  /** Default: from the file name ("Q3 Sales.csv" → "q3_sales"); a `.duckdb` file's tables get it as a prefix. */
  table?: string;
  /** Default: from the extension (.csv .tsv .txt .json .ndjson .jsonl .parquet .duckdb). */
  format?: FileFormat;
  csv?: CsvOptions;
  /** What to do when a table of that name exists; without it the import is refused (ConfigError `would_replace`). */
  mode?: 'replace' | 'append';
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportFileResult {
  schema: typeof FILES_SCHEMA;
  file_name: string;
  format: FileFormat;
  size_bytes: number;
  tables: { name: string; rows: number; mode: 'created' | 'replaced' | 'appended' }[];
}

/** A table of the `files` source and the file it came from (`_dinobase.files`). */
export interface ImportedFile {
  table_name: string;
  file_name: string;
  format: FileFormat;
  size_bytes: number;
  row_count: number;
  imported_at: string;
}

export interface ImportDeps {
  parquet: () => Promise<ParquetWasm>;
}

let imports = 0;

function fileNameOf(request: ImportFileRequest): string {
  const named = (request.file as Partial<File>).name;
  return request.fileName ?? (typeof named === 'string' && named ? named : 'file');
}

/** Refuses (ConfigError `would_replace`) when one of `names` exists and no mode says what to do. */
async function refuseTaken(db: DinobaseDB, names: string[], mode: ImportFileRequest['mode']): Promise<void> {
  if (mode) return;
  const taken: string[] = [];
  for (const name of names)
    if (await db.tableExists(FILES_SCHEMA, name)) taken.push(`${FILES_SCHEMA}.${name}`);
  if (taken.length > 0) {
    throw new ConfigError(
      'would_replace',
      `${taken.join(', ')} already ${taken.length > 1 ? 'exist' : 'exists'}: import with mode "replace" to overwrite or "append" to add the rows, or choose another table name.`,
    );
  }
}

export async function importFile(
  db: DinobaseDB,
  request: ImportFileRequest,
  deps: ImportDeps,
): Promise<ImportFileResult> {
  const fileName = fileNameOf(request);
  const format = request.format ?? formatOf(fileName);
  const base = request.table !== undefined ? checkTableName(request.table) : tableNameFor(fileName);
  if (request.mode !== undefined && request.mode !== 'replace' && request.mode !== 'append')
    throw new ConfigError(
      'invalid_argument',
      `Unknown mode "${String(request.mode)}". Use "replace" or "append".`,
    );
  const database = await db.database();
  const token = `${Date.now().toString(36)}${(++imports).toString(36)}`;
  const registered: string[] = [];
  const staged: { target: string; staging: string }[] = [];
  const conn = await db.connect();
  const ctx: ReadContext = {
    conn,
    file: request.file,
    fileName,
    staging: { schema: STAGING_SCHEMA, name: `files__${base}__${token}` },
    async register(suffix, blob) {
      const name = `import-${token}-${suffix}`;
      registered.push(name);
      return database.registerFileHandle(name, blob);
    },
    async registerBytes(suffix, bytes) {
      const name = `import-${token}-${suffix}`;
      registered.push(name);
      return database.registerFile(name, bytes);
    },
    parquet: deps.parquet,
    progress: (update) => request.onProgress?.({ file: fileName, ...update }),
  };
  try {
    await conn.query(`CREATE SCHEMA IF NOT EXISTS ${STAGING_SCHEMA}`);
    if (format === 'duckdb') {
      await withAttached(ctx, base, `import_${token}`, async (tables, copy) => {
        await refuseTaken(
          db,
          tables.map((t) => t.target),
          request.mode,
        );
        for (const [i, table] of tables.entries()) {
          const staging = `${ctx.staging.name}_${i}`;
          staged.push({ target: table.target, staging });
          await copy(table, staging);
        }
      });
    } else {
      await refuseTaken(db, [base], request.mode);
      staged.push({ target: base, staging: ctx.staging.name });
      const read = {
        csv: () => loadCsv(ctx, request.csv ?? {}),
        json: () => loadJson(ctx),
        ndjson: () => loadNdjson(ctx),
        parquet: () => loadParquet(ctx),
      };
      await read[format]();
    }
    const tables = await swapIn(db, staged, request.mode, { fileName, format, size: request.file.size });
    const rows = tables.reduce((n, t) => n + t.rows, 0);
    ctx.progress({ phase: 'done', done: 1, total: 1, rows });
    return { schema: FILES_SCHEMA, file_name: fileName, format, size_bytes: request.file.size, tables };
  } catch (error) {
    throw error instanceof DinobaseError ? error : asImportError(fileName, error);
  } finally {
    for (const { staging } of staged)
      await conn.query(`DROP TABLE IF EXISTS ${qualified(STAGING_SCHEMA, staging)}`).catch(() => undefined);
    await conn.close().catch(() => undefined);
    for (const name of registered) await database.dropFile(name).catch(() => undefined);
  }
}

/** One transaction: each staged table replaces, extends or becomes its `files` table, with its metadata row. */
async function swapIn(
  db: DinobaseDB,
  staged: { target: string; staging: string }[],
  mode: ImportFileRequest['mode'],
  file: { fileName: string; format: FileFormat; size: number },
): Promise<ImportFileResult['tables']> {
  const now = toSqlTimestamp(db.clock.now());
  return db.transaction(async (conn) => {
    await conn.query(`CREATE SCHEMA IF NOT EXISTS ${FILES_SCHEMA}`);
    const out: ImportFileResult['tables'] = [];
    for (const { target, staging } of staged) {
      const table = qualified(FILES_SCHEMA, target);
      const source = qualified(STAGING_SCHEMA, staging);
      const exists = await db.tableExists(FILES_SCHEMA, target);
      if (exists && mode === 'append') {
        await append(conn, table, source, file.fileName, target);
      } else {
        if (exists) await conn.query(`DROP TABLE ${table}`);
        await conn.query(`CREATE TABLE ${table} AS SELECT * FROM ${source}`);
      }
      const rows = Number(tableToRows(await conn.query(`SELECT count(*) AS n FROM ${table}`))[0]?.n ?? 0);
      await conn.queryParams(
        `INSERT OR REPLACE INTO ${META_SCHEMA}.files VALUES (?, ?, ?, ?, ?, ?::TIMESTAMP)`,
        [target, file.fileName, file.format, file.size, rows, now],
      );
      out.push({
        name: target,
        rows,
        mode: !exists ? 'created' : mode === 'append' ? 'appended' : 'replaced',
      });
    }
    return out;
  });
}

/** Appends by column name; a file whose columns do not fit the table is refused with DuckDB's reason. */
async function append(conn: DuckConnection, table: string, source: string, fileName: string, target: string) {
  try {
    await conn.query(`INSERT INTO ${table} BY NAME SELECT * FROM ${source}`);
  } catch (error) {
    throw new ConfigError(
      'invalid_argument',
      `Cannot append "${fileName}" to ${FILES_SCHEMA}.${target}: ${firstLine(errorMessage(error))}. Import it with mode "replace" or under another name.`,
      { cause: error },
    );
  }
}

/** Renames a `files` table (and its metadata row); the new name must be free. */
export async function renameFileTable(
  db: DinobaseDB,
  request: { from: string; to: string },
): Promise<ImportedFile> {
  const to = checkTableName(request.to);
  if (!(await db.tableExists(FILES_SCHEMA, request.from)))
    throw new ConfigError('not_found', `No table ${FILES_SCHEMA}.${request.from} to rename.`);
  if (await db.tableExists(FILES_SCHEMA, to))
    throw new ConfigError('would_replace', `${FILES_SCHEMA}.${to} already exists: choose another name.`);
  await db.transaction(async (conn) => {
    await conn.query(`ALTER TABLE ${qualified(FILES_SCHEMA, request.from)} RENAME TO ${quoteIdent(to)}`);
    await conn.queryParams(`UPDATE ${META_SCHEMA}.files SET table_name = ? WHERE table_name = ?`, [
      to,
      request.from,
    ]);
  });
  const file = (await listImportedFiles(db)).find((f) => f.table_name === to);
  if (!file) throw new ConfigError('not_found', `No file metadata for ${FILES_SCHEMA}.${to}.`);
  return file;
}

/** Drops a `files` table and its metadata row in one transaction; returns what was removed. */
export async function removeFileTable(db: DinobaseDB, request: { table: string }): Promise<ImportedFile> {
  const file = (await listImportedFiles(db)).find((f) => f.table_name === request.table);
  if (!file) throw new ConfigError('not_found', `No table ${FILES_SCHEMA}.${request.table} to remove.`);
  await db.transaction(async (conn) => {
    await conn.query(`DROP TABLE ${qualified(FILES_SCHEMA, file.table_name)}`);
    await conn.queryParams(`DELETE FROM ${META_SCHEMA}.files WHERE table_name = ?`, [file.table_name]);
  });
  return file;
}

/** Every table of the `files` source with the file it came from, by table name. */
export async function listImportedFiles(db: DinobaseDB): Promise<ImportedFile[]> {
  const rows = await db.query(
    `SELECT f.table_name, f.file_name, f.format, f.size_bytes, f.row_count, strftime(f.imported_at, '%Y-%m-%d %H:%M:%S') AS imported_at
     FROM ${META_SCHEMA}.files f JOIN information_schema.tables t
       ON t.table_schema = '${FILES_SCHEMA}' AND t.table_name = f.table_name AND t.table_catalog = current_database()
     ORDER BY f.table_name`,
  );
  return rows.map((r) => ({
    table_name: String(r.table_name),
    file_name: String(r.file_name),
    format: String(r.format) as FileFormat,
    size_bytes: Number(r.size_bytes),
    row_count: Number(r.row_count),
    imported_at: String(r.imported_at),
  }));
}
