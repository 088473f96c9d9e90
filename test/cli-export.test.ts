// `dinobase export` from the real binary (child processes on a temporary $DINOBASE_HOME): Parquet read back by native DuckDB, NDJSON, failures leave no file.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWith } from '../worker/duckdb/node.ts';
import { runDinobase, userEnv, type Run } from './cli-kit.ts';

const SLOW = { timeout: 180_000 };

let home: string;
const dinobase = (...args: string[]): Promise<Run> => runDinobase(args, userEnv(home));

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'dinobase-cli-export-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('dinobase export', SLOW, () => {
  it('writes a query result as Parquet (format from --out) that native DuckDB reads back', async () => {
    const out = join(home, 'result.parquet');
    const run = await dinobase(
      'export',
      '--sql',
      'SELECT i, (i / 4)::DECIMAL(18,2) AS amount FROM range(1000) t(i)',
      '--out',
      out,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: 'parquet', row_count: 1000, path: out });
    const native = await openWith('native')({ path: ':memory:' });
    try {
      const path = await native.registerFile('result.parquet', readFileSync(out));
      const conn = await native.connect();
      const rows = (
        await conn.query(`SELECT count(*)::INTEGER AS n, sum(amount)::VARCHAR AS total FROM '${path}'`)
      ).toArray();
      expect({ ...rows[0] }).toEqual({ n: 1000, total: '124875.00' });
    } finally {
      await native.close();
    }
  });

  it('writes NDJSON, and leaves no file when the export fails', async () => {
    const out = join(home, 'one.ndjson');
    const run = await dinobase(
      'export',
      '--sql',
      "SELECT 1 AS a, 'x' AS b",
      '--format',
      'ndjson',
      '--out',
      out,
    );
    expect(run.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('{"a":1,"b":"x"}\n');
    const missing = join(home, 'missing.csv');
    const failed = await dinobase('export', 'nope.nope', '--out', missing);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/nope/);
    expect(existsSync(missing)).toBe(false);
    const write = await dinobase('export', '--sql', 'DELETE FROM x.y', '--out', missing);
    expect(write.stderr).toMatch(/not a write/);
    expect(existsSync(missing)).toBe(false);
  });
});
