// The engine never reaches the network by itself: URLs in SQL fail at once, a canary listener sees nothing.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { QueryError } from '../errors.ts';
import { QueryEngine, isErrorResult } from '../query/engine.ts';
import { memoryDB } from '../testing.ts';
import type { DuckConnection } from './index.ts';
import { driverFromEnv } from './node.ts';

/**
 * Native DuckDB links parquet and json (DuckDB-WASM links neither), so there a remote read through their
 * functions is refused by the lockdown as any remote path is, instead of failing for the missing extension.
 */
const native = driverFromEnv() === 'native';
const extensionRefusal = native ? 'network_refused' : 'extension_unavailable';

const hits: string[] = [];
let canary: Server;
let url = '';
let db: DinobaseDB;
let conn: DuckConnection;
let engine: QueryEngine;

beforeAll(async () => {
  canary = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'text/csv');
    res.end('leaked,secret\n1,2\n');
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  const address = canary.address();
  if (address === null || typeof address === 'string') throw new Error('the canary has no port');
  url = `http://127.0.0.1:${address.port}`;
  db = memoryDB();
  engine = new QueryEngine(db);
  conn = await db.connect();
  await conn.query('CREATE TABLE main.t AS SELECT 1 AS a');
});

afterAll(async () => {
  await conn?.close();
  await db?.close();
  await new Promise((resolve) => canary?.close(resolve));
});

/** Every way SQL could name a remote file; `${url}` is the canary. */
function remoteForms(): string[] {
  const port = new URL(url).port;
  return [
    `SELECT * FROM read_csv('${url}/leak.csv')`,
    `select * from READ_CSV_AUTO('${url}/upper.csv')`,
    `SELECT content FROM read_text('${url}/leak.txt')`,
    `SELECT content FROM read_blob('${url}/leak.bin')`,
    `SELECT * FROM '${url}/replacement-scan.csv'`,
    `FROM '${url}/from-first.csv'`,
    `SELECT * FROM glob('${url}/*.csv')`,
    `WITH leak AS (SELECT * FROM read_csv('${url}/cte.csv')) SELECT * FROM leak`,
    `SELECT * FROM read_csv('HtTp://127.0.0.1:${port}/mixed-case.csv')`,
    `SELECT * FROM read_csv('https://127.0.0.1:${port}/tls.csv')`,
    `SELECT * FROM read_csv('s3://dinobase-canary/leak.csv')`,
    `SELECT * FROM read_csv(['${url}/a.csv', '${url}/b.csv'])`,
  ];
}

/** Remote reads through functions of extensions this build lacks: refused before the path is even looked at. */
function extensionForms(): string[] {
  return [
    `SELECT * FROM parquet_scan('${url}/x.parquet')`,
    `SELECT * FROM read_parquet('${url}/x.parquet')`,
    `SELECT * FROM read_json_auto('${url}/x.json')`,
    `SELECT * FROM read_json('s3://dinobase-canary/x.json')`,
  ];
}

/** Forms only the driver can send: the query engine refuses these statements before DuckDB sees them. */
function statementForms(): string[] {
  return [
    `ATTACH '${url}/remote.duckdb' AS remote`,
    `ATTACH 's3://dinobase-canary/remote.duckdb' AS remote (READ_ONLY)`,
    `COPY main.t TO '${url}/out.csv'`,
    `COPY main.t FROM '${url}/in.csv'`,
    `LOAD httpfs`,
    // An extension neither build links (natively, LOADing a linked one such as icu is a no-op that reads nothing).
    `LOAD '${url}/httpfs.duckdb_extension.wasm'`,
  ];
}

async function refusal(sql: string): Promise<QueryError> {
  const error = await conn.query(sql).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, sql).toBeInstanceOf(QueryError);
  return error as QueryError;
}

describe('SQL cannot reach the network', () => {
  it('refuses every remote path at once with a clear error, through the driver', async () => {
    for (const sql of remoteForms()) {
      const error = await refusal(sql);
      expect(error.code, `${sql}: ${error.message}`).toBe('network_refused');
      expect(error.message, sql).toMatch(/never reaches the network/);
    }
    for (const sql of extensionForms()) {
      const error = await refusal(sql);
      expect(error.code, `${sql}: ${error.message}`).toBe(extensionRefusal);
      expect(error.message, sql).toMatch(native ? /never reaches the network/ : /never downloads one/);
    }
    for (const sql of statementForms()) {
      const error = await refusal(sql);
      expect(['network_refused', 'extension_unavailable'], `${sql}: ${error.message}`).toContain(error.code);
    }
  });

  it('installs nothing: INSTALL is a no-op in DuckDB-WASM and refused natively, even from a repository URL', async () => {
    for (const sql of ['INSTALL httpfs', `INSTALL icu FROM '${url}'`, 'FORCE INSTALL json']) {
      const error = await conn.query(sql).then(
        () => null,
        (e: unknown) => e,
      );
      // Native DuckDB would write to ~/.duckdb/extensions, a directory the lockdown does not allow.
      if (native) expect(error, sql).toMatchObject({ code: 'refused' });
      else if (error !== null) expect(error, sql).toBeInstanceOf(QueryError);
    }
    // Natively duckdb_extensions() lists that same refused directory, so the proof is that httpfs never loads.
    await expect(conn.query('LOAD httpfs')).rejects.toBeInstanceOf(QueryError);
    if (native) return;
    const installed = await conn.query(
      'SELECT extension_name FROM duckdb_extensions() WHERE installed OR loaded ORDER BY 1',
    );
    expect(installed.toArray().map((r) => r.toJSON())).toEqual([{ extension_name: 'core_functions' }]);
  });

  it('refuses them through QueryEngine.execute, as the editor and agents send them', async () => {
    for (const sql of remoteForms()) {
      const result = await engine.execute(sql);
      expect(isErrorResult(result), sql).toBe(true);
      if (!isErrorResult(result)) continue;
      expect(result.code, `${sql}: ${result.error}`).toBe('network_refused');
      expect(result.error).toMatch(/never reaches the network/);
    }
    for (const sql of extensionForms()) {
      const result = await engine.execute(sql);
      expect(isErrorResult(result) && result.code, sql).toBe(extensionRefusal);
    }
  });

  it('cannot be switched back on: the configuration is locked', async () => {
    const attempts = [
      'SET enable_external_access = true',
      'SET GLOBAL enable_external_access = true',
      'RESET enable_external_access',
      "SET disabled_filesystems = ''",
      'SET lock_configuration = false',
      'RESET lock_configuration',
      "SET allowed_directories = ['/']",
      "SET allowed_paths = ['/etc/hostname']",
      'SET autoload_known_extensions = true',
      'SET autoinstall_known_extensions = true',
      "SET custom_extension_repository = 'http://127.0.0.1:1'",
    ];
    for (const sql of attempts) {
      const error = await refusal(sql);
      expect(error.code, `${sql}: ${error.message}`).toBe('refused');
      expect(error.message, sql).toMatch(/configuration is locked/);
    }
    const error = await refusal(`SELECT * FROM read_csv('${url}/after-set.csv')`);
    expect(error.code).toBe('network_refused');
    const settings = await conn.query(
      `SELECT current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked`,
    );
    expect(settings.toArray()[0]?.toJSON()).toEqual({ external: false, locked: true });
  });

  it('reads no file of the host either, only the files the engine registered', async () => {
    const error = await refusal("SELECT content FROM read_text('/etc/hostname')");
    expect(error.code).toBe('refused');
    expect(error.message).toMatch(/reads only its own database and the files it was given/);
    const escape = await refusal("SELECT content FROM read_text('/dinobase/files/../../etc/hostname')");
    expect(escape.code).toBe('refused');

    const database = await db.database();
    const path = await database.registerFile('given.csv', new TextEncoder().encode('id,name\n1,Acme\n'));
    try {
      const table = await conn.query(`SELECT name FROM read_csv('${path}')`);
      expect(table.toArray().map((r) => r.toJSON())).toEqual([{ name: 'Acme' }]);
    } finally {
      await database.dropFile('given.csv');
    }
  });

  it('sent nothing to the canary', () => {
    expect(hits).toEqual([]);
  });
});
