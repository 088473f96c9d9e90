import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DinobaseDB } from './db.ts';
import { openDuckDB, type OpenDuckDB } from './duckdb/index.ts';
import { openWith } from './duckdb/node.ts';
import { NotReadyError } from './errors.ts';
import { QueryEngine } from './query/engine.ts';
import { DatabaseStorage, isDuckDBFile, opfsFileName, type DatabaseFiles } from './storage.ts';
import { ManualClock, fileOnDisk, memoryDB } from './testing.ts';

/** A DuckDB-looking file: 4 KiB with "DUCK" at byte 8 and a marker byte. */
function duckFile(marker: number): Uint8Array {
  const bytes = new Uint8Array(4096);
  bytes.set(
    [...'DUCK'].map((c) => c.charCodeAt(0)),
    8,
  );
  bytes[100] = marker;
  return bytes;
}

/** The database's "file" for backup and clear, in memory. */
class MemoryFiles implements DatabaseFiles {
  readonly name = 'test.duckdb';
  current: Uint8Array | null = duckFile(1);
  log: string[] = [];
  gate: Promise<void> = Promise.resolve();
  async read() {
    this.log.push('read');
    await this.gate;
    if (!this.current) throw new Error('no file');
    return this.current.slice();
  }
  async remove() {
    this.log.push('remove');
    this.current = null;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'dinobase-storage-'));
/** A real backup: a Dinobase-shaped database written by native DuckDB in WASM's storage format. */
let backup: Uint8Array;

beforeAll(async () => {
  const path = join(dir, 'backup.duckdb');
  // Native DuckDB writes a real file, in the same format (v1.4.3) as the browser's.
  const file = await openWith('native')({ path });
  const conn = await file.connect();
  await conn.query(`CREATE SCHEMA _dinobase;
    CREATE TABLE _dinobase.schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP NOT NULL);
    CREATE SCHEMA crm;
    CREATE SEQUENCE crm.deal_seq START 1;
    CREATE TABLE crm.deals (id INTEGER PRIMARY KEY DEFAULT nextval('crm.deal_seq'), name VARCHAR);
    INSERT INTO crm.deals (name) VALUES ('Acme'), ('Globex');
    CREATE SCHEMA _dinobase_staging;
    CHECKPOINT;`);
  await conn.close();
  await file.close();
  backup = new Uint8Array(readFileSync(path));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let db: DinobaseDB | undefined;
afterEach(() => db?.close());

/** A DinobaseDB that counts its opens. */
function countingDB(opens: string[]): DinobaseDB {
  const open: OpenDuckDB = async (options) => {
    opens.push('open');
    return openDuckDB(options);
  };
  return new DinobaseDB(':memory:', { open, clock: new ManualClock(Date.UTC(2026, 5, 1, 10, 30)) });
}

describe('database files', () => {
  it('recognises a DuckDB file by its header', () => {
    expect(isDuckDBFile(duckFile(0))).toBe(true);
    expect(isDuckDBFile(backup)).toBe(true);
    expect(isDuckDBFile(new Uint8Array(4096))).toBe(false);
    expect(isDuckDBFile(duckFile(0).slice(0, 100))).toBe(false);
    expect(opfsFileName('opfs://dinobase.duckdb')).toBe('dinobase.duckdb');
    expect(opfsFileName(':memory:')).toBeNull();
  });
});

describe('DatabaseStorage', () => {
  it('reports PRAGMA database_size, and refuses a backup in memory with a clear error', async () => {
    db = memoryDB();
    const storage = new DatabaseStorage(db, { files: null });
    const size = await storage.size();
    expect(size).toMatchObject({ database_name: 'memory', persistent: false });
    expect(size.bytes).toBe(size.total_blocks * size.block_size);
    expect(typeof size.memory_usage).toBe('string');
    const error = await storage.backup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotReadyError);
    expect(error).toMatchObject({ code: 'not_persistent', message: /in-memory database/ });
  });

  // Every reopen instantiates DuckDB-WASM again (seconds in Node), hence the long timeout.
  it('backs up (quiesce, close, read, reopen) while other callers wait; refuses when quiesce does', async () => {
    const files = new MemoryFiles();
    const events: string[] = [];
    db = countingDB(events);
    await db.run('CREATE TABLE t AS SELECT 1 AS x');
    const refusing = new DatabaseStorage(db, {
      files,
      quiesce: async () => {
        throw new NotReadyError('busy', 'The database is in use: stripe is syncing');
      },
    });
    await expect(refusing.backup()).rejects.toThrow('The database is in use: stripe is syncing');
    expect(files.log).toEqual([]);

    const steps: string[] = [];
    const storage = new DatabaseStorage(db, {
      files,
      quiesce: async () => {
        steps.push('quiesce');
        return () => steps.push('resume');
      },
    });
    let release!: () => void;
    files.gate = new Promise((resolve) => (release = resolve));
    const pending = storage.backup();
    await expect.poll(() => files.log).toEqual(['read']);
    // The database is closed while its file is read: a query now waits instead of opening it again.
    const query = db.query('SELECT 42 AS answer').then((rows) => (events.push('answered'), rows));
    // One turn of the event loop, not a delay: up to asking for the database the query's path is microtasks
    // only, so a query that skipped the wait would have logged its 'open' before 'released'.
    await new Promise(setImmediate);
    events.push('released');
    release();
    const result = await pending;
    expect(await query).toEqual([{ answer: 42 }]);
    expect(result.file_name).toBe('dinobase-2026-06-01T10-30-00Z.duckdb');
    expect(result.size).toBe(4096);
    expect(result.bytes[100]).toBe(1);
    expect(events).toEqual(['open', 'released', 'open', 'answered']);
    expect(steps).toEqual(['quiesce', 'resume']);
  }, 90_000);

  it('refuses to restore a file that is not a DuckDB database, touching nothing', async () => {
    db = memoryDB();
    await db.run('CREATE SCHEMA crm');
    const bytes = new TextEncoder().encode('id,name\n1,Acme\n'.repeat(400));
    await expect(new DatabaseStorage(db, { files: null }).restore(bytes)).rejects.toThrow(
      /Not a DuckDB database file \(6,000 bytes, no "DUCK" header at byte 8\)/,
    );
    expect(await db.getSchemas()).toEqual(['crm']);
  });

  it('restores a backup: replaces every schema, migrates, keeps sequences going, drops staging', async () => {
    db = memoryDB();
    await db.run('CREATE SCHEMA stripe');
    await db.run('CREATE TABLE stripe.customers AS SELECT 1 AS id');
    await db.run('CREATE TABLE main.scratch AS SELECT 1 AS id');
    await db.addSource({ name: 'stripe', type: 'stripe' });
    const steps: string[] = [];
    const storage = new DatabaseStorage(db, {
      files: null,
      quiesce: async () => {
        steps.push('quiesce');
        return () => steps.push('resume');
      },
    });
    const result = await storage.restore(backup.slice());
    expect(result).toEqual({ size: backup.byteLength, schemas: ['crm'] });
    expect(steps).toEqual(['quiesce', 'resume']);
    expect(await db.query('SELECT name FROM crm.deals ORDER BY id')).toEqual([
      { name: 'Acme' },
      { name: 'Globex' },
    ]);
    await db.run("INSERT INTO crm.deals (name) VALUES ('Initech')");
    expect(await db.query("SELECT id FROM crm.deals WHERE name = 'Initech'")).toEqual([{ id: 3 }]);
    // The backup's _dinobase predates the migrations: they ran, so the registry is there (and empty).
    expect(await db.getSources()).toEqual([]);
    expect(await db.getTables('_dinobase')).toEqual(expect.arrayContaining(['sources', 'sync_log']));
    expect(await db.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'scratch'")).toEqual([
      { n: 0 },
    ]);
    expect(
      await db.query("SELECT count(*) AS n FROM duckdb_schemas() WHERE schema_name = '_dinobase_staging'"),
    ).toEqual([{ n: 0 }]);
  });

  it('changes nothing when the backup does not open', async () => {
    db = memoryDB();
    await db.run('CREATE SCHEMA crm');
    await db.run('CREATE TABLE crm.deals AS SELECT 7 AS id');
    const broken = backup.slice();
    broken.fill(0x5a, 4096);
    const error = await new DatabaseStorage(db, { files: null }).restore(broken).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^The backup could not be opened, so nothing changed: /);
    expect(await db.query('SELECT id FROM crm.deals')).toEqual([{ id: 7 }]);
  });

  it('clears all data: in memory by dropping every schema, on OPFS by removing the file and reopening', async () => {
    db = memoryDB();
    await db.run('CREATE SCHEMA crm');
    await db.addSource({ name: 'stripe', type: 'stripe' });
    await new DatabaseStorage(db, { files: null }).clear();
    expect(await db.getSchemas()).toEqual([]);
    expect(await db.getSources()).toEqual([]);
    await db.close();

    const files = new MemoryFiles();
    const opens: string[] = [];
    db = countingDB(opens);
    await db.run('CREATE SCHEMA crm');
    await new DatabaseStorage(db, { files }).clear();
    expect(files.log).toEqual(['remove']);
    expect(opens).toEqual(['open', 'open']);
    expect(await db.getSchemas()).toEqual([]);
    expect(await db.getTables('_dinobase')).toContain('sync_log');
  }, 90_000);
});

describe('the scratch schema in backups', () => {
  it('a scratch table and a view written through the query engine travel in a backup and answer after restore', async () => {
    // Not scratch.duckdb: the file names its catalog, and `scratch.x` would be ambiguous between the two.
    const path = join(dir, 'roundtrip.duckdb');
    const source = new DinobaseDB(path, { open: openWith('native'), clock: new ManualClock() });
    const engine = new QueryEngine(source);
    for (const sql of [
      "CREATE TABLE scratch.kept AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name)",
      'CREATE VIEW scratch.kept_count AS SELECT count(*) AS n FROM scratch.kept',
    ]) {
      expect(await engine.execute(sql)).not.toHaveProperty('error');
    }
    const { bytes } = await new DatabaseStorage(source, {
      files: fileOnDisk(path, 'roundtrip.duckdb'),
    }).backup();
    await source.close();

    db = memoryDB();
    await new DatabaseStorage(db, { files: null }).restore(bytes);
    expect(await db.query('SELECT n FROM scratch.kept_count')).toEqual([{ n: 2 }]);
    const { sources } = await new QueryEngine(db).listSources();
    expect(sources.find((s) => s.name === 'scratch')?.tables).toEqual([
      { name: 'kept', rows: 2 },
      { name: 'kept_count', rows: 0, view: true },
    ]);
  }, 90_000);
});
