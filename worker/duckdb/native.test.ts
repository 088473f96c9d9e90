// Native DuckDB files: they persist across processes, live in private directories, and refuse a second writer or a newer format clearly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DinobaseDB } from '../db.ts';
import { ConfigError, NotReadyError } from '../errors.ts';
import { tableToRows } from '../values.ts';
import { STAGING_SCHEMA } from '../meta/migrations.ts';
import { openWith } from './node.ts';

const root = mkdtempSync(join(tmpdir(), 'dinobase-native-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const open = openWith('native');
const DRIVER = new URL('./node.ts', import.meta.url).pathname;
let dirs = 0;
const freshPath = () => join(root, `case-${++dirs}`, 'db', 'test.duckdb');

/** Another Node process that opens `path` natively, runs `sql`, and keeps the file open until told to stop. */
interface Holder {
  child: ChildProcess;
  stop(): Promise<void>;
}
const holders: Holder[] = [];
afterEach(async () => {
  for (const holder of holders.splice(0)) await holder.stop();
  vi.unstubAllEnvs();
});

function hold(
  path: string,
  options: { readOnly?: boolean; sql?: string; exit?: boolean } = {},
): Promise<Holder> {
  const script = `
    const { openWith } = await import(${JSON.stringify(DRIVER)});
    const db = await openWith('native')({ path: ${JSON.stringify(path)}, readOnly: ${Boolean(options.readOnly)} });
    const conn = await db.connect();
    ${options.sql ? `await conn.query(${JSON.stringify(options.sql)});` : ''}
    const done = async () => { await conn.close(); await db.close(); process.exit(0); };
    process.stdout.write('ready\\n');
    ${options.exit ? 'await done();' : "process.stdin.on('data', done);"}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A holder on its way out may have closed its stdin before 'exit' is seen here: that write's EPIPE means done.
  child.stdin?.on('error', () => undefined);
  const holder: Holder = {
    child,
    async stop() {
      if (!options.exit && child.exitCode === null) child.stdin?.write('stop\n');
      await exited;
    },
  };
  holders.push(holder);
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      if (data.toString().includes('ready')) resolve(holder);
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before it was ready`)));
  });
}

async function read(path: string, sql: string, readOnly = false): Promise<unknown[]> {
  const db = await open({ path, readOnly });
  try {
    const conn = await db.connect();
    const rows = tableToRows(await conn.query(sql));
    await conn.close();
    return rows;
  } finally {
    await db.close();
  }
}

/** Rewrites a file's header as a newer DuckDB would: storage version and writer, with DuckDB's checksum. */
function pretendNewer(path: string, storage: number, writer: string): void {
  const bytes = Buffer.from(readFileSync(path));
  bytes.writeBigUInt64LE(BigInt(storage), 12);
  bytes.fill(0, 52, 84);
  bytes.write(writer, 52, 'latin1');
  let sum = 5381n;
  for (let i = 8; i < 4096; i += 8) sum ^= BigInt.asUintN(64, bytes.readBigUInt64LE(i) * 0xbf58476d1ce4e5b9n);
  bytes.writeBigUInt64LE(sum, 0);
  writeFileSync(path, bytes);
}

// Each case starts Node processes, which take seconds on a busy machine.
describe('native DuckDB files', { timeout: 120_000 }, () => {
  it('keep committed work after the writing process exits, in a directory only this user can open', async () => {
    const path = freshPath();
    const writer = await hold(path, { sql: 'CREATE TABLE t AS SELECT 42 AS x', exit: true });
    await writer.stop();
    expect(writer.child.exitCode).toBe(0);
    expect(await read(path, 'SELECT x FROM t')).toEqual([{ x: 42 }]);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(statSync(dirname(dirname(path))).mode & 0o777).toBe(0o700);
  });

  it('are what new DinobaseDB() opens: $DINOBASE_HOME/dinobase.duckdb, created 0700, reopened with its data', async () => {
    const home = join(root, 'home-default');
    vi.stubEnv('DINOBASE_HOME', home);
    vi.stubEnv('DINOBASE_DRIVER', 'native');
    const first = new DinobaseDB();
    expect(first.path).toBe(join(home, 'dinobase.duckdb'));
    await first.run('CREATE SCHEMA crm; CREATE TABLE crm.deals AS SELECT 1 AS id');
    await first.close();
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const again = new DinobaseDB();
    expect(await again.getTables('crm')).toEqual(['deals']);
    expect((await again.database()).persistent).toBe(true);
    await again.close();
    const memory = new DinobaseDB(':memory:');
    expect(await memory.getSchemas()).toEqual([]);
    expect((await memory.database()).persistent).toBe(false);
    await memory.close();
  });

  it('refuse a second writer process with an error naming the file and the process that holds it', async () => {
    const path = freshPath();
    const holder = await hold(path, { sql: 'CREATE TABLE t AS SELECT 1 AS x' });
    const error = await open({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotReadyError);
    expect(error).toMatchObject({ code: 'locked' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(`PID ${holder.child.pid}`);
    // A writer excludes readers too: DuckDB's lock is exclusive.
    await expect(open({ path, readOnly: true })).rejects.toMatchObject({ code: 'locked' });
    await holder.stop();
    expect(await read(path, 'SELECT x FROM t')).toEqual([{ x: 1 }]);
  });

  it('open read-only beside a process that reads the file, and say so to one that wants to write', async () => {
    const path = freshPath();
    await (await hold(path, { sql: 'CREATE TABLE t AS SELECT 7 AS x', exit: true })).stop();
    const reader = await hold(path, { readOnly: true });
    expect(await read(path, 'SELECT x FROM t', true)).toEqual([{ x: 7 }]);
    const error = await open({ path }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'locked', message: expect.stringContaining('readOnly: true') });
    expect((error as Error).message).toContain(`PID ${reader.child.pid}`);
    const db = new DinobaseDB(path, { open, readOnly: true });
    await expect(db.run('CREATE TABLE u (x INTEGER)')).rejects.toThrow(/read-only/i);
    await db.close();
  });

  it('open a Dinobase file read-only as it is: no cleanup, so the staging a dead sync left stays', async () => {
    const path = freshPath();
    const writer = new DinobaseDB(path, { open });
    await writer.run(`CREATE SCHEMA s; CREATE TABLE s.t AS SELECT 3 AS n;
      CREATE SCHEMA ${STAGING_SCHEMA}; CREATE TABLE ${STAGING_SCHEMA}.left AS SELECT 1 AS a`);
    await writer.close();
    const reader = new DinobaseDB(path, { open, readOnly: true });
    try {
      expect(await reader.query('SELECT n FROM s.t')).toEqual([{ n: 3 }]);
      expect(await reader.query(`SELECT a FROM ${STAGING_SCHEMA}.left`)).toEqual([{ a: 1 }]);
    } finally {
      await reader.close();
    }
  });

  it('share one DuckDB per file within a process, and refuse a second mode', async () => {
    const path = freshPath();
    const a = await open({ path });
    const b = await open({ path });
    const conn = await a.connect();
    await conn.query('CREATE TABLE t AS SELECT 5 AS x');
    await conn.close();
    const other = await b.connect();
    expect(tableToRows(await other.query('SELECT x FROM t'))).toEqual([{ x: 5 }]);
    await other.close();
    await expect(open({ path, readOnly: true })).rejects.toMatchObject({
      code: 'locked',
      message: expect.stringContaining('already open for writing in this process'),
    });
    await a.close();
    await b.close();
    // Closed by both, the file is free again, even for another mode.
    expect(await read(path, 'SELECT x FROM t', true)).toEqual([{ x: 5 }]);
  });

  it('refuse a file written by a newer DuckDB, naming both versions', async () => {
    const path = freshPath();
    await (await hold(path, { sql: 'CREATE TABLE t AS SELECT 1 AS x', exit: true })).stop();
    pretendNewer(path, 68, 'v1.5.0');
    const error = await open({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toContain('DuckDB v1.5.0 (storage version 68)');
    expect(message).toContain('DuckDB v1.4.3, which reads storage versions 64–67');
  });

  it('attach bytes given to registerFile from a private temporary file, gone after dropFile', async () => {
    const source = freshPath();
    await (await hold(source, { sql: 'CREATE TABLE t AS SELECT 9 AS x', exit: true })).stop();
    const db = await open({ path: ':memory:' });
    const file = await db.registerFile('backup.duckdb', new Uint8Array(readFileSync(source)));
    expect(file).not.toBe('backup.duckdb');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const conn = await db.connect();
    await conn.query(`ATTACH '${file}' AS b (READ_ONLY)`);
    expect(tableToRows(await conn.query('SELECT x FROM b.t'))).toEqual([{ x: 9 }]);
    await conn.query('DETACH b');
    await db.dropFile('backup.duckdb');
    expect(existsSync(file)).toBe(false);
    await conn.close();
    await db.close();
  });
});
