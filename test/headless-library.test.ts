// Runs README's "Headless and CLI" library part as written: its shell setup and TypeScript blocks, in a Node process, on a file database.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSandboxes, type ServedSandboxes } from '../proxy/sandbox/test-server.ts';
import { DinobaseDB } from '../worker/db.ts';
import { openWith } from '../worker/duckdb/node.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const REPO = new URL('..', import.meta.url).pathname;
/** Where README's examples point: a running `npm start`. */
const DOCUMENTED_ORIGIN = 'http://127.0.0.1:8787';

/** The section's fenced blocks of one language, in order. */
function blocks(language: string): string[] {
  // The section up to its CLI part (test/cli.test.ts runs that one).
  const section =
    /\n## Headless and CLI\n([\s\S]*?)(?=\n### The `dinobase` CLI\n|\n## )/.exec(README)?.[1] ?? '';
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].filter((m) => m[1] === language).map((m) => m[2]!);
}

let served: ServedSandboxes;
let home: string;
let work: string;
let custom: string;
let output = '';
let exitCode: number | null = null;

beforeAll(async () => {
  served = await serveSandboxes();
  home = mkdtempSync(join(tmpdir(), 'dinobase-readme-home-'));
  custom = join(mkdtempSync(join(tmpdir(), 'dinobase-readme-custom-')), 'custom.duckdb');
  // Inside the repository, so `from 'dinobase-browser'` resolves through package.json "exports" as it does for readers.
  mkdirSync(join(REPO, 'test-results'), { recursive: true });
  work = mkdtempSync(join(REPO, 'test-results', 'readme-'));
  const origin = new URL(served.base).origin;
  const local = (text: string) =>
    text.replaceAll(DOCUMENTED_ORIGIN, origin).replaceAll('/path/to/custom.duckdb', custom);
  const code = blocks('ts');
  code.forEach((block, i) => writeFileSync(join(work, `example-${i + 1}.ts`), local(block)));
  // One process runs every block in order, each in its own module scope, as separate scripts would.
  writeFileSync(
    join(work, 'run.ts'),
    [
      // Tells the test when an example waits for Ctrl+C, so it can press it.
      `process.on('newListener', (event) => { if (event === 'SIGINT') setImmediate(() => console.log('[waiting for SIGINT]')); });`,
      ...code.map((_, i) => `await import('./example-${i + 1}.ts');`),
    ].join('\n'),
  );
  const env: Record<string, string | undefined> = { ...process.env, DINOBASE_HOME: home };
  delete env.DINOBASE_DRIVER;
  for (const line of blocks('sh').flatMap((b) => b.split('\n'))) {
    const assignment = /^export (\w+)=(\S+)/.exec(line);
    if (assignment) env[assignment[1]!] = local(assignment[2]!);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', join(work, 'run.ts')], { cwd: REPO, env });
  const collect = (data: Buffer) => {
    output += data.toString();
    if (data.toString().includes('[waiting for SIGINT]')) child.kill('SIGINT');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
}, 240_000);

afterAll(async () => {
  await served?.close();
  for (const dir of [home, work, dirname(custom)]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("README's headless examples", () => {
  it('are TypeScript blocks that import the engine from the package entry point', () => {
    const code = blocks('ts');
    expect(code.length).toBeGreaterThanOrEqual(5);
    for (const name of ['DinobaseDB', 'QueryEngine', 'SyncEngine', 'MutationEngine', 'SyncScheduler']) {
      expect(
        code.some((block) =>
          new RegExp(`import \\{[^}]*\\b${name}\\b[^}]*\\} from 'dinobase-browser'`).test(block),
        ),
      ).toBe(true);
    }
  });

  it('run as written, in one Node process, to the end', () => {
    expect(output).not.toMatch(/Error/);
    expect(exitCode).toBe(0);
  });

  it('leave their work in $DINOBASE_HOME/dinobase.duckdb, read here by another process', async () => {
    const db = new DinobaseDB(join(home, 'dinobase.duckdb'), { open: openWith('native') });
    try {
      expect(await db.getSchemas()).toEqual(expect.arrayContaining(['linear', 'stripe']));
      expect(await db.getRowCount('stripe', 'customers')).toBe(
        served.sandboxes.stripe.store.list('customers').length,
      );
      expect(await db.getColumnAnnotations('stripe', 'customers')).toMatchObject({
        email: { description: 'Customer email', note: 'Join key' },
      });
      const statuses = await db.query(
        'SELECT status, count(*) AS n FROM _dinobase.mutations GROUP BY status ORDER BY status',
      );
      expect(statuses).toEqual([
        { status: 'cancelled', n: 1 },
        { status: 'executed', n: 3 },
      ]);
      expect(await db.query(`SELECT name FROM stripe.customers WHERE id = 'cus_0wCUPznYDDIKKN'`)).toEqual([
        { name: 'Acme' },
      ]);
    } finally {
      await db.close();
    }
  });

  it('write back to the source APIs with the credentials of the shared store', () => {
    expect(served.sandboxes.stripe.store.get('customers', 'cus_0wCUPznYDDIKKN')?.name).toBe('Acme');
    expect(served.sandboxes.stripe.store.get('customers', 'cus_sGB3BzZksJONKQ')?.name).toBe('Acme Corp');
    const issues = [...served.sandboxes.linear.store.issues.values()];
    expect(issues.some((issue) => issue.title === 'Follow up')).toBe(true);
  });

  it('never write a secret into the database file, its WAL, or the output', () => {
    const { stripe, hubspot, github, linear } = served.sandboxes.credentials;
    const secrets = [stripe.api_key, hubspot.access_token, github.access_token, linear.api_key];
    for (const file of readdirSync(home).filter((f) => f.startsWith('dinobase.duckdb'))) {
      const bytes = readFileSync(join(home, file)).toString('latin1');
      for (const secret of secrets) expect(bytes.includes(secret), `${secret} in ${file}`).toBe(false);
    }
    for (const secret of secrets) expect(output.includes(secret)).toBe(false);
  });
});
