// Saved queries from the real `dinobase` binary (child processes on a temporary $DINOBASE_HOME): save, list, run, rename, duplicate, rm.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runDinobase, userEnv, type Run } from './cli-kit.ts';

/** Each command is a fresh Node process (tsx, then DuckDB): seconds apiece on a busy machine. */
const SLOW = { timeout: 180_000 };

let home: string;

const dinobase = (...args: string[]): Promise<Run> => runDinobase(args, userEnv(home));

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'dinobase-cli-saved-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('dinobase save / saved / query --saved', SLOW, () => {
  it('saves a query, refuses the same name without --overwrite, and replaces it with it', async () => {
    const saved = json(
      await dinobase('save', 'Answers', 'SELECT range AS n FROM range(5)', '--description', 'five'),
    );
    expect(saved).toMatchObject({
      name: 'Answers',
      sql: 'SELECT range AS n FROM range(5)',
      description: 'five',
    });
    const again = await dinobase('save', 'Answers', 'SELECT 1');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: A saved query named 'Answers' already exists/);
    expect(again.stdout).toBe('');
    const replaced = json(
      await dinobase('save', 'Answers', 'SELECT range AS n FROM range(7)', '--overwrite'),
    );
    expect(replaced).toMatchObject({ sql: 'SELECT range AS n FROM range(7)', description: 'five' });
  });

  it('runs a saved query with --max-rows, and exits 1 naming an unknown one', async () => {
    const result = json(await dinobase('query', '--saved', 'Answers', '--max-rows', '3'));
    expect(result).toMatchObject({ columns: ['n'], row_count: 3, total_rows: 7 });
    const unknown = await dinobase('query', '--saved', 'Nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("Error: No saved query named 'Nope'.\n");
    const both = await dinobase('query', 'SELECT 1', '--saved', 'Answers');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give either');
  });

  it('lists as JSON and --pretty, and searches name or SQL', async () => {
    json(await dinobase('save', 'Big customers', 'SELECT * FROM stripe.customers WHERE balance > 1000'));
    const all = json<{ name: string }[]>(await dinobase('saved'));
    expect(all.map((q) => q.name)).toEqual(['Answers', 'Big customers']);
    const found = json<{ name: string }[]>(await dinobase('saved', '--search', 'STRIPE'));
    expect(found.map((q) => q.name)).toEqual(['Big customers']);
    const prettyRun = await dinobase('saved', '--pretty');
    expect(prettyRun.code).toBe(0);
    expect(prettyRun.stdout.split('\n')[0]).toMatch(/^name\s+sql\s+description\s+updated_at$/);
    expect(prettyRun.stdout).toMatch(/^Big customers\s+SELECT \* FROM stripe\.customers/m);
  });

  it('duplicates, renames (not onto a taken name), shows and removes', async () => {
    expect(json(await dinobase('saved', 'duplicate', 'Answers'))).toMatchObject({ name: 'Answers (copy)' });
    expect(json(await dinobase('saved', 'rename', 'Answers (copy)', 'Seven'))).toMatchObject({
      name: 'Seven',
      sql: 'SELECT range AS n FROM range(7)',
    });
    const taken = await dinobase('saved', 'rename', 'Seven', 'Answers');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("'Answers' already exists");
    expect(json(await dinobase('saved', 'show', 'Seven'))).toMatchObject({ name: 'Seven' });
    expect(json(await dinobase('saved', 'rm', 'Seven'))).toEqual({ deleted: 'Seven' });
    const gone = await dinobase('saved', 'rm', 'Seven');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe("Error: No saved query named 'Seven'.\n");
    const names = json<{ name: string }[]>(await dinobase('saved')).map((q) => q.name);
    expect(names).toEqual(['Answers', 'Big customers']);
  });

  it('exits 2 with the usage on an unknown action or a missing name', async () => {
    const unknown = await dinobase('saved', 'frob', 'x');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: dinobase saved');
    const missing = await dinobase('saved', 'rename', 'Answers');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('expected 2 names');
  });
});
