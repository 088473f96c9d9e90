// `dinobase import` from the real binary (child processes on a temporary $DINOBASE_HOME): a CSV, a taken name, --append, a bad file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runDinobase, userEnv, type Run } from './cli-kit.ts';

const SLOW = { timeout: 180_000 };
let home: string;

const dinobase = (...args: string[]): Promise<Run> => runDinobase(args, userEnv(home));

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'dinobase-cli-import-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('dinobase import', SLOW, () => {
  it('imports a CSV, refuses a taken name, appends with --append, and names a bad line', async () => {
    const csv = join(home, 'Team Orders.csv');
    writeFileSync(csv, 'id;total\n1;10\n2;20\n');
    expect(json(await dinobase('import', csv))).toMatchObject({
      schema: 'files',
      file_name: 'Team Orders.csv',
      format: 'csv',
      tables: [{ name: 'team_orders', rows: 2, mode: 'created' }],
    });
    const taken = await dinobase('import', csv);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('files.team_orders already exists');
    expect(json(await dinobase('import', csv, '--append'))).toMatchObject({
      tables: [{ name: 'team_orders', rows: 4, mode: 'appended' }],
    });
    expect(json(await dinobase('query', 'SELECT sum(total)::INT AS s FROM files.team_orders'))).toMatchObject(
      {
        rows: [{ s: 60 }],
      },
    );
    const bad = join(home, 'bad.ndjson');
    writeFileSync(bad, '{"a":1}\n{"a":\n');
    const failed = await dinobase('import', bad);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('"bad.ndjson" at line 2, byte 8');
    const both = await dinobase('import', csv, '--replace', '--append');
    expect(both.code).toBe(2);
  });
});
