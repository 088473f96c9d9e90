// File import on both drivers: each format, sniffing and overrides, replace/append, malformed input, the lockdown.
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import * as parquet from 'parquet-wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi, ImportProgress } from '../api.ts';
import type { DinobaseDB } from '../db.ts';
import { ConfigError, ImportError } from '../errors.ts';
import { createEngineService } from '../service.ts';
import { ManualClock, memoryDB } from '../testing.ts';

const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
let db: DinobaseDB;
let engine: EngineApi;

beforeAll(async () => {
  db = memoryDB(clock);
  engine = createEngineService({ db });
  await engine.open();
});
afterAll(() => engine.close());

const file = (name: string, text: string | Uint8Array) => new File([text as BlobPart], name);
const rows = (sql: string) => db.query(sql);

/** The rejection of `call`, asserted to be an instance of `cls` with `code`; returns its message. */
async function rejection(call: Promise<unknown>, cls: typeof ConfigError | typeof ImportError, code: string) {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(cls);
  expect(error).toMatchObject({ code });
  return (error as Error).message;
}

/** Tables left in staging or `files` that no import should leave. */
async function tablesIn(schema: string): Promise<string[]> {
  const list = await rows(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' ORDER BY table_name`,
  );
  return list.map((r) => String(r.table_name));
}

function csvLines(n: number, from = 0): string {
  return Array.from({ length: n }, (_, i) => `${i + from},name ${i + from},${(i + from) * 1.5}\n`).join('');
}

describe('CSV', () => {
  it('sniffs the delimiter and header, names the table after the file, and reports progress', async () => {
    const progress: ImportProgress[] = [];
    const result = await engine.importFile({
      file: file('Q3 Sales-2024.csv', 'id;name;amount\n1;Acme;10.5\n2;"Beta; Inc";20\n'),
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({
      schema: 'files',
      file_name: 'Q3 Sales-2024.csv',
      format: 'csv',
      tables: [{ name: 'q3_sales_2024', rows: 2, mode: 'created' }],
    });
    expect(await rows('SELECT id, name, amount FROM files.q3_sales_2024 ORDER BY id')).toEqual([
      { id: 1, name: 'Acme', amount: 10.5 },
      { id: 2, name: 'Beta; Inc', amount: 20 },
    ]);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', rows: 2, file: 'Q3 Sales-2024.csv' });
  });

  it('reads TSV, and takes delimiter, header and quote overrides', async () => {
    await engine.importFile({ file: file('people.tsv', 'a\tb\n1\tx\n2\ty\n') });
    expect(await rows('SELECT * FROM files.people ORDER BY a')).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ]);
    await engine.importFile({
      file: file('raw.txt', "1|'a|b'\n2|'c'\n"),
      csv: { delimiter: '|', header: false, quote: "'" },
    });
    expect(await rows('SELECT * FROM files.raw ORDER BY 1')).toEqual([
      { column0: 1, column1: 'a|b' },
      { column0: 2, column1: 'c' },
    ]);
  });

  it('fails on a line that does not fit, naming the file and the line, and leaves nothing behind', async () => {
    const text = 'id,name,amount\n' + csvLines(300) + '7,x,1,extra\n' + csvLines(10, 400);
    const message = await rejection(
      engine.importFile({ file: file('broken.csv', text) }),
      ImportError,
      'bad_file',
    );
    expect(message).toMatch(/"broken\.csv" at line 302/);
    expect(message).toContain('7,x,1,extra');
    expect(await tablesIn('files')).not.toContain('broken');
    expect(await tablesIn('_dinobase_staging')).toEqual([]);
  });

  it('refuses a taken name without a mode, then replaces or appends', async () => {
    await engine.importFile({ file: file('orders.csv', 'id,total\n1,10\n2,20\n') });
    const message = await rejection(
      engine.importFile({ file: file('orders.csv', 'id,total\n3,30\n') }),
      ConfigError,
      'would_replace',
    );
    expect(message).toContain('files.orders already exists');
    expect(await rows('SELECT count(*)::INT AS n FROM files.orders')).toEqual([{ n: 2 }]);
    const appended = await engine.importFile({
      file: file('orders.csv', 'id,total\n3,30\n'),
      mode: 'append',
    });
    expect(appended.tables).toEqual([{ name: 'orders', rows: 3, mode: 'appended' }]);
    const replaced = await engine.importFile({
      file: file('orders.csv', 'id,total\n9,90\n'),
      mode: 'replace',
    });
    expect(replaced.tables).toEqual([{ name: 'orders', rows: 1, mode: 'replaced' }]);
    expect(await rows('SELECT id, total FROM files.orders')).toEqual([{ id: 9, total: 90 }]);
    const mismatch = await rejection(
      engine.importFile({ file: file('orders.csv', 'other\nx\n'), mode: 'append' }),
      ConfigError,
      'invalid_argument',
    );
    expect(mismatch).toContain('Cannot append "orders.csv" to files.orders');
    expect(await rows('SELECT id FROM files.orders')).toEqual([{ id: 9 }]);
  });

  it('renames a table with clear errors, and lists the imported files', async () => {
    await engine.importFile({ file: file('to_rename.csv', 'a\n1\n') });
    const renamed = await engine.renameFileTable({ from: 'to_rename', to: 'renamed' });
    expect(renamed).toMatchObject({
      table_name: 'renamed',
      file_name: 'to_rename.csv',
      format: 'csv',
      row_count: 1,
    });
    expect(renamed.imported_at).toBe('2026-06-01 12:00:00');
    await rejection(engine.renameFileTable({ from: 'nope', to: 'x' }), ConfigError, 'not_found');
    await rejection(engine.renameFileTable({ from: 'renamed', to: 'orders' }), ConfigError, 'would_replace');
    await rejection(
      engine.renameFileTable({ from: 'renamed', to: 'Bad Name' }),
      ConfigError,
      'invalid_argument',
    );
    const listed = await engine.listImportedFiles();
    expect(listed.map((f) => f.table_name)).toEqual(expect.arrayContaining(['renamed', 'orders']));
  });

  it('removes a table and its file row in one go, and says when there is none', async () => {
    await engine.importFile({ file: file('to_remove.csv', 'a\n1\n2\n') });
    const removed = await engine.removeFileTable({ table: 'to_remove' });
    expect(removed).toMatchObject({ table_name: 'to_remove', file_name: 'to_remove.csv', row_count: 2 });
    expect(await tablesIn('files')).not.toContain('to_remove');
    expect(
      await rows("SELECT count(*)::INTEGER AS n FROM _dinobase.files WHERE table_name = 'to_remove'"),
    ).toEqual([{ n: 0 }]);
    const message = await rejection(engine.removeFileTable({ table: 'to_remove' }), ConfigError, 'not_found');
    expect(message).toContain('files.to_remove');
    expect((await engine.listImportedFiles()).map((f) => f.table_name)).not.toContain('to_remove');
  });
});

describe('JSON and NDJSON', () => {
  it('imports an array of objects', async () => {
    await engine.importFile({
      file: file('events.json', '[{"id":1,"kind":"a"},{"id":2,"kind":"b","extra":true}]'),
    });
    expect(await rows('SELECT id, kind, extra FROM files.events ORDER BY id')).toEqual([
      { id: 1, kind: 'a', extra: null },
      { id: 2, kind: 'b', extra: true },
    ]);
  });

  it('imports NDJSON line by line', async () => {
    const text = '{"id":1,"v":"x"}\n\n{"id":2,"v":"y"}\r\n{"id":3,"v":"z"}';
    await engine.importFile({ file: file('log.ndjson', text) });
    expect(await rows('SELECT id, v FROM files.log ORDER BY id')).toEqual([
      { id: 1, v: 'x' },
      { id: 2, v: 'y' },
      { id: 3, v: 'z' },
    ]);
  });

  it('names the line and byte of malformed JSON and NDJSON, and leaves nothing behind', async () => {
    const json = await rejection(
      engine.importFile({ file: file('bad.json', '[{"a":1},\n{"a":2,,}]') }),
      ImportError,
      'bad_file',
    );
    expect(json).toMatch(/"bad\.json" at (line 2, )?byte \d+/);
    const ndjson = await rejection(
      engine.importFile({ file: file('bad.jsonl', '{"a":1}\n{"a":2}\n{"a":\n') }),
      ImportError,
      'bad_file',
    );
    expect(ndjson).toContain('"bad.jsonl" at line 3, byte 16');
    expect(await tablesIn('files')).not.toContain('bad');
    expect(await tablesIn('_dinobase_staging')).toEqual([]);
  });
});

/** A Parquet file with `groups` row groups of `per` rows each. */
function parquetFile(name: string, groups: number, per: number): File {
  const n = groups * per;
  const arrow = tableFromArrays({
    id: Int32Array.from({ length: n }, (_, i) => i),
    label: Array.from({ length: n }, (_, i) => `row ${i}`),
  });
  const table = parquet.Table.fromIPCStream(tableToIPC(arrow, 'stream'));
  const props = new parquet.WriterPropertiesBuilder().setMaxRowGroupSize(per).build();
  return file(name, parquet.writeParquet(table, props));
}

describe('Parquet', () => {
  it('streams row groups through Arrow, with progress per row group', async () => {
    const progress: ImportProgress[] = [];
    const result = await engine.importFile({
      file: parquetFile('metrics.parquet', 3, 100),
      onProgress: (p) => progress.push(p),
    });
    expect(result.tables).toEqual([{ name: 'metrics', rows: 300, mode: 'created' }]);
    expect(await rows('SELECT count(*)::INT AS n, max(id) AS m, min(label) AS l FROM files.metrics')).toEqual(
      [{ n: 300, m: 299, l: 'row 0' }],
    );
    expect(progress.filter((p) => p.phase === 'loading').map((p) => p.done)).toEqual([0, 1, 2, 3]);
  });

  it('rejects a file that is not Parquet, leaving nothing behind', async () => {
    const message = await rejection(
      engine.importFile({ file: file('fake.parquet', 'id,name\n1,x\n') }),
      ImportError,
      'bad_file',
    );
    expect(message).toMatch(/"fake\.parquet" at its footer: not a readable Parquet file/);
    expect(await tablesIn('files')).not.toContain('fake');
    expect(await tablesIn('_dinobase_staging')).toEqual([]);
  });
});

describe('.duckdb', () => {
  it('copies every table of an attached database, and rejects a file that is not one', async () => {
    // A real database file: the native driver writes one (DuckDB-WASM in Node keeps memory only).
    const { openNativeDuckDB } = await import('../duckdb/native.ts');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'dinobase-import-')), 'shop.duckdb');
    const source = await openNativeDuckDB({ path });
    const conn = await source.connect();
    await conn.query('CREATE TABLE items AS SELECT range AS id FROM range(5)');
    await conn.query('CREATE SCHEMA crm; CREATE TABLE crm.people AS SELECT 1 AS id');
    await conn.query('CHECKPOINT');
    await conn.close();
    await source.close();
    const result = await engine.importFile({ file: file('shop.duckdb', readFileSync(path)) });
    expect(result.tables).toEqual([
      { name: 'shop_crm_people', rows: 1, mode: 'created' },
      { name: 'shop_items', rows: 5, mode: 'created' },
    ]);
    const message = await rejection(
      engine.importFile({ file: file('junk.duckdb', 'not a database') }),
      ImportError,
      'bad_file',
    );
    expect(message).toContain('"junk.duckdb"');
    expect(await tablesIn('_dinobase_staging')).toEqual([]);
    expect(
      await rows("SELECT database_name FROM duckdb_databases() WHERE database_name LIKE 'import_%'"),
    ).toEqual([]);
  });
});

describe('the files source', () => {
  it('is read-only to user SQL and cannot read an imported file afterwards', async () => {
    await engine.importFile({ file: file('secret.csv', 'a\n1\n') });
    for (const sql of [
      'DROP TABLE files.secret',
      'CREATE TABLE files.x AS SELECT 1',
      'UPDATE files.secret SET a = 2',
    ]) {
      const result = await engine.execute({ sql });
      expect(result, sql).toHaveProperty('error');
    }
    expect(await rows('SELECT a FROM files.secret')).toEqual([{ a: 1 }]);
    // Every path the import gave DuckDB is forgotten when it ends: SQL cannot read the file any more.
    const database = await db.database();
    const given: string[] = [];
    const register = database.registerFileHandle.bind(database);
    database.registerFileHandle = async (name, blob) => {
      const path = await register(name, blob);
      given.push(path);
      return path;
    };
    await engine.importFile({ file: file('later.csv', 'a\n1\n') });
    database.registerFileHandle = register;
    expect(given).toHaveLength(1);
    const after = await engine.execute({ sql: `SELECT * FROM read_csv('${given[0]}')` });
    expect(after).toHaveProperty('error');
    const read = await engine.execute({ sql: "SELECT * FROM read_csv('/etc/passwd')" });
    expect(read).toHaveProperty('error');
  });

  it('is listed as a file source: never stale, no freshness threshold', async () => {
    const { sources } = await engine.listSources();
    const files = sources.find((s) => s.name === 'files');
    expect(files).toMatchObject({ name: 'files', type: 'file', last_sync: null });
    expect(files).not.toHaveProperty('is_stale');
    expect(files).not.toHaveProperty('freshness_threshold');
    expect(files!.tables.map((t) => t.name)).toContain('orders');
  });

  it('reaches agents: list_connectors shows files as a file connector', async () => {
    const result = await engine.agentTool({
      name: 'list_connectors',
      args: {},
      client: 'test',
      transport: 'library',
      agentsMayConfirm: false,
    });
    expect(result.isError).toBe(false);
    const { connectors } = JSON.parse(result.text) as { connectors: { name: string; type: string }[] };
    expect(connectors.find((c) => c.name === 'files')).toMatchObject({ type: 'file' });
  });

  it('persists in the database file: the table and its file row are there after a reopen', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { DinobaseDB } = await import('../db.ts');
    const { openWith } = await import('../duckdb/node.ts');
    const dir = mkdtempSync(join(tmpdir(), 'dinobase-files-persist-'));
    const path = join(dir, 'd.duckdb');
    const first = createEngineService({ db: new DinobaseDB(path, { clock, open: openWith('native') }) });
    await first.importFile({ file: file('kept.csv', 'a,b\n1,x\n') });
    await first.close();
    const again = new DinobaseDB(path, { clock, open: openWith('native') });
    try {
      expect(await again.query('SELECT a, b FROM files.kept')).toEqual([{ a: 1, b: 'x' }]);
      expect(await again.query('SELECT table_name, format, row_count FROM _dinobase.files')).toEqual([
        { table_name: 'kept', format: 'csv', row_count: 1 },
      ]);
    } finally {
      await again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown file types and bad table names with the options', async () => {
    expect(
      await rejection(engine.importFile({ file: file('sheet.xlsx', 'x') }), ConfigError, 'invalid_argument'),
    ).toMatch(/unknown file type "xlsx"\. Known: \.csv/);
    await rejection(
      engine.importFile({ file: file('a.csv', 'a\n1\n'), table: '1abc' }),
      ConfigError,
      'invalid_argument',
    );
  });
});
