// Drives the real `dinobase` binary as a child process against sandboxes on loopback, with a temporary $DINOBASE_HOME.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../node/cli/commands.ts';
import { main } from '../node/cli/main.ts';
import { serveSandboxes, type ServedSandboxes } from '../proxy/sandbox/test-server.ts';
import { BIN, REPO, json, runDinobase, userEnv, type Run } from './cli-kit.ts';

/** Each command is a fresh Node process (tsx, then DuckDB): seconds apiece on a busy machine. */
const SLOW = { timeout: 180_000 };
const KEY = 'sk_test_dinobase_sandbox';

let served: ServedSandboxes;
let home: string;

const childEnv = (): Record<string, string> => userEnv(home);

/** Runs `dinobase …` with stdin, stdout and stderr piped (not a terminal), to its exit. */
const dinobase = (...args: string[]): Promise<Run> => runDinobase(args, childEnv());

/**
 * Runs `dinobase …` on a pseudo-terminal (util-linux `script`), so stdin and stderr are TTYs; types `answer`
 * once the prompt is on screen.
 */
function onTerminal(args: string[], answer?: { after: string; text: string }): Promise<Run> {
  const command = [process.execPath, BIN, ...args].join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: REPO,
    env: childEnv(),
    stdio: 'pipe',
  });
  let stdout = '';
  let typed = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (answer && !typed && stdout.includes(answer.after)) {
      typed = true;
      child.stdin.write(`${answer.text}\r`);
    }
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr: '' })));
}

const stripeBase = () => `${served.base}/stripe`;
const customer = (id: string) => served.sandboxes.stripe.store.get('customers', id)!;

beforeAll(async () => {
  served = await serveSandboxes();
  home = mkdtempSync(join(tmpdir(), 'dinobase-cli-home-'));
}, 60_000);

afterAll(async () => {
  await served?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('dinobase --help', SLOW, () => {
  it('lists every command at the top level and exits 0', async () => {
    const run = await dinobase('--help');
    expect(run.code).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command.name} `);
  });

  it("shows a connector's credential flags under `add <type> --help`", async () => {
    const run = await dinobase('add', 'stripe', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--api-key <value>.*DINOBASE_STRIPE_API_KEY/);
  });

  it('answers --help on every command with its usage', async () => {
    for (const command of COMMANDS) {
      let out = '';
      const io = {
        stdout: { write: (t: string) => (out += t) },
        stderr: { write: (t: string) => (out += t) },
        stdin: process.stdin,
        env: childEnv(),
      };
      expect(await main([command.name, '--help'], io)).toBe(0);
      expect(out).toContain(`Usage: dinobase ${command.name}`);
    }
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const missing = await dinobase('query');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Usage: dinobase query');
    const unknown = await dinobase('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command 'frobnicate'");
  });
});

describe('dinobase against the sandbox', SLOW, () => {
  it('adds a source with its key from a flag, keeping the key out of the output and the database', async () => {
    const added = json<{ status: string; source: { base_url: string }; credentials: object }>(
      await dinobase('add', 'stripe', '--base-url', stripeBase(), '--api-key', KEY),
    );
    expect(added).toMatchObject({ status: 'added', source: { base_url: stripeBase() } });
    expect(added.credentials).toEqual({ api_key: 'flag' });
    expect(JSON.stringify(added)).not.toContain(KEY);
    expect(statSync(join(home, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home, 'dinobase.duckdb')).includes(KEY)).toBe(false);
  });

  it('masks a stored key in anything it prints, even when SQL selects it', async () => {
    const result = json<{ rows: { k: string }[] }>(await dinobase('query', `SELECT '${KEY}' AS k`));
    expect(result.rows).toEqual([{ k: '[redacted]' }]);
  });

  it('syncs it, with no progress bar when stderr is piped', async () => {
    const run = await dinobase('sync', 'stripe');
    const [result] = json<{ source_name: string; status: string; tables_synced: number }[]>(run);
    expect(result).toMatchObject({ source_name: 'stripe', status: 'success' });
    expect(result!.tables_synced).toBeGreaterThan(0);
    expect(run.stderr).not.toMatch(/[\r█]/);
    expect(run.stdout).not.toContain(KEY);
  });

  it('queries the synced data as JSON and, with --pretty, as an aligned table', async () => {
    const total = served.sandboxes.stripe.store.list('customers').length;
    const result = json<{ rows: { n: number }[]; row_count: number }>(
      await dinobase('query', 'SELECT count(*) AS n FROM stripe.customers'),
    );
    expect(result.rows).toEqual([{ n: total }]);
    const pretty = await dinobase(
      'query',
      'SELECT id, email FROM stripe.customers ORDER BY id LIMIT 2',
      '--pretty',
    );
    expect(pretty.code).toBe(0);
    const lines = pretty.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+email$/);
    expect(lines[1]).toMatch(/^-+ {2}-+$/);
    expect(lines[2]!.indexOf('@')).toBeGreaterThan(lines[0]!.indexOf('email') - 1);
    expect(lines.at(-1)).toBe('(2 rows)');
  });

  it('caps rows with --max-rows and says so', async () => {
    const result = json<{ rows: unknown[]; total_rows: number; truncated: boolean }>(
      await dinobase('query', 'SELECT id FROM stripe.customers', '--max-rows', '3'),
    );
    expect(result.rows).toHaveLength(3);
    expect(result.truncated).toBe(true);
    expect(result.total_rows).toBe(served.sandboxes.stripe.store.list('customers').length);
  });

  it('describes a table', async () => {
    const result = json<{ schema: string; table: string; columns: { name: string }[] }>(
      await dinobase('describe', 'stripe.customers'),
    );
    expect(result).toMatchObject({ schema: 'stripe', table: 'customers' });
    expect(result.columns.map((c) => c.name)).toContain('email');
    const missing = await dinobase('describe', 'stripe.nope');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^Error: .*nope/);
  });

  it('previews an UPDATE, and confirm writes it to the sandbox and the local table', async () => {
    const id = served.sandboxes.stripe.store.list('customers')[0]!.id;
    const preview = json<{ mutation_id: string; status: string }>(
      await dinobase('query', `UPDATE stripe.customers SET name = 'Acme via CLI' WHERE id = '${id}'`),
    );
    expect(preview.status).toBe('pending_confirmation');
    expect(customer(id).name).not.toBe('Acme via CLI');
    const confirmed = json<{ status: string }>(await dinobase('confirm', preview.mutation_id));
    expect(confirmed.status).toBe('executed');
    expect(customer(id).name).toBe('Acme via CLI');
    const local = json<{ rows: { name: string }[] }>(
      await dinobase('query', `SELECT name FROM stripe.customers WHERE id = '${id}'`),
    );
    expect(local.rows).toEqual([{ name: 'Acme via CLI' }]);
  });

  it('cancels a preview: nothing reaches the sandbox, and it cannot be confirmed afterwards', async () => {
    const id = served.sandboxes.stripe.store.list('customers')[1]!.id;
    const before = customer(id).name;
    const preview = json<{ mutation_id: string }>(
      await dinobase('query', `UPDATE stripe.customers SET name = 'Never written' WHERE id = '${id}'`),
    );
    expect(json(await dinobase('cancel', preview.mutation_id))).toEqual({
      status: 'cancelled',
      mutation_id: preview.mutation_id,
    });
    const late = await dinobase('confirm', preview.mutation_id);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('is cancelled, not pending');
    expect(customer(id).name).toBe(before);
  });

  it('exits 1 with the message on stderr for bad SQL and an unknown mutation', async () => {
    const bad = await dinobase('query', 'SELEC 1');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^Error: .*SELEC/);
    const unknown = await dinobase('confirm', 'mut_000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Mutation 'mut_000000000000' not found");
  });

  it('runs a script: the outcome table (--pretty) or list (JSON), the last result, and one batch of previews', async () => {
    const id = served.sandboxes.stripe.store.list('customers')[2]!.id;
    const script = [
      'CREATE OR REPLACE TABLE scratch.cli AS SELECT id FROM stripe.customers LIMIT 4;',
      `UPDATE stripe.customers SET name = 'Script via CLI' WHERE id = '${id}';`,
      'SELECT count(*) AS n FROM scratch.cli',
    ].join('\n');
    const run = await dinobase('--pretty', 'query', script);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^#\s+line\s+kind\s+statement\s+rows\s+ms\s+status$/);
    expect(lines[2]).toMatch(/^1\s+1\s+scratch\s+CREATE\s+4\s+[\d.]+\s+ok$/);
    expect(lines[3]).toMatch(/^2\s+2\s+preview\s+UPDATE\s+1\s+[\d.]+\s+ok$/);
    expect(lines[4]).toMatch(/^3\s+3\s+read\s+SELECT\s+1\s+[\d.]+\s+ok$/);
    expect(run.stdout).toMatch(
      /\n\s*n\n-+\n\s*4\n\(1 row\)\nConfirm with: dinobase confirm mut_[0-9a-f]{12}\n/,
    );
    const mutationId = /dinobase confirm (mut_[0-9a-f]{12})/.exec(run.stdout)![1]!;
    json(await dinobase('cancel', mutationId));
    const result = json<{
      statements: { status: string; kind: string }[];
      pending: { status: string; mutation_id: string };
    }>(await dinobase('query', script));
    expect(result.statements.map((s) => s.kind)).toEqual(['scratch', 'mutation_preview', 'read']);
    expect(result.pending.status).toBe('pending_confirmation');
    json(await dinobase('cancel', result.pending.mutation_id));
    expect(customer(id).name).not.toBe('Script via CLI');
  });

  it('stops a script at its failing statement: exit 1, the outcomes and the line on stderr', async () => {
    const run = await dinobase(
      'query',
      'SELECT 1;\nCREATE OR REPLACE TABLE scratch.half AS SELECT 1 AS a;\nSELECT nope FROM scratch.half;\nSELECT 4',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n');
    expect(lines[2]).toMatch(/^1\s+1\s+read\s+SELECT\s+1\s+[\d.]+\s+ok$/);
    expect(lines[3]).toMatch(/^2\s+2\s+scratch\s+CREATE\s+1\s+[\d.]+\s+kept$/);
    expect(lines[4]).toMatch(/^3\s+3\s+read\s+SELECT\s+[\d.]+\s+failed$/);
    expect(lines[5]).toMatch(/^4\s+4\s+read\s+SELECT\s+not_run$/);
    expect(lines[6]).toMatch(/^Error: Statement 3 of 4 \(line 3\) failed: Binder Error: .*nope/);
  });

  it('exits 1 naming the registered sources when syncing an unknown one', async () => {
    const run = await dinobase('sync', 'nosuch');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Unknown source 'nosuch'. Registered: stripe.");
  });

  it('reports a refused key as a failed sync, without printing the key', async () => {
    const wrong = 'sk_test_wrong_key_123';
    json(
      await dinobase('add', 'stripe', '--name', 'billing', '--base-url', stripeBase(), '--api-key', wrong),
    );
    const run = await dinobase('sync', 'billing');
    expect(run.code).toBe(1);
    const [result] = JSON.parse(run.stdout) as { status: string; error: string }[];
    expect(result!.status).toBe('error');
    expect(run.stderr).toMatch(/^Error: billing: /m);
    expect(run.stdout + run.stderr).not.toContain(wrong);
  });

  it('refuses to add a source whose credential is nowhere, when it cannot prompt', async () => {
    const run = await dinobase('add', 'hubspot');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "Missing credential 'access_token' for hubspot: pass --access-token <value> or set DINOBASE_HUBSPOT_ACCESS_TOKEN.",
    );
    expect(
      json<{ connectors: { name: string }[] }>(await dinobase('connectors')).connectors.map((c) => c.name),
    ).toEqual(['billing', 'stripe']);
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'on a terminal, asks for a missing key without echoing it, and draws a progress bar',
    async () => {
      const token = served.sandboxes.credentials.hubspot.access_token;
      const added = await onTerminal(['add', 'hubspot', '--base-url', `${served.base}/hubspot`], {
        after: 'hubspot ',
        text: token,
      });
      expect(added.code).toBe(0);
      expect(added.stdout).toContain('"access_token": "prompt"');
      expect(added.stdout).not.toContain(token);
      const synced = await onTerminal(['sync', 'hubspot']);
      expect(synced.code).toBe(0);
      // Each redraw clears the line and starts again: the source, the bar, resources done of all.
      expect(synced.stdout).toContain('\r\u001b[2Khubspot ');
      expect(synced.stdout).toMatch(/hubspot █+░* \d+\/\d+ · /);
    },
  );

  it('shows status, refreshes only stale sources, and passes doctor', async () => {
    const status = json<{ sources: { name: string; is_stale: boolean }[] }>(await dinobase('status'));
    expect(status.sources.find((s) => s.name === 'stripe')).toMatchObject({ is_stale: false });
    const refreshed = await dinobase('refresh', 'stripe', '--stale');
    expect(json(refreshed)).toEqual({ status: 'all_fresh' });
    const doctor = await dinobase('doctor');
    const report = JSON.parse(doctor.stdout) as { checks: { check: string; ok: boolean }[] };
    const ok = Object.fromEntries(report.checks.map((c) => [c.check, c.ok]));
    // billing's key is set, so doctor passes it too; its refusal is sync's business.
    expect(ok).toMatchObject({
      home: true,
      credentials: true,
      database: true,
      engines: true,
      'source stripe': true,
    });
  });

  it('prints the MCP client configuration that starts `dinobase mcp` on this home and file', async () => {
    const cursor = await dinobase('mcp-config', 'cursor');
    expect(cursor.code).toBe(0);
    expect(JSON.parse(cursor.stdout)).toEqual({
      mcpServers: {
        dinobase: {
          command: 'dinobase',
          args: ['mcp', '--db', join(home, 'dinobase.duckdb')],
          env: { DINOBASE_HOME: home },
        },
      },
    });
    const code = await dinobase('mcp-config', 'claude-code');
    expect(code.stdout).toContain('claude mcp add dinobase');
    const bad = await dinobase('mcp-config', 'notepad');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown MCP client 'notepad'");
  });
});

describe('dinobase sandbox', SLOW, () => {
  it('serves the vendor sandboxes on loopback and prints their base URLs and keys', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0'], { cwd: REPO, env: childEnv() });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const line = (await lines.next()).value as string;
    const printed = JSON.parse(line) as {
      sources: Record<string, { base_url: string; credentials: Record<string, string>; add: string }>;
    };
    const stripe = printed.sources.stripe!;
    expect(stripe.credentials).toEqual({ api_key: KEY });
    expect(stripe.add).toBe(`dinobase add stripe --base-url ${stripe.base_url} --api-key ${KEY}`);
    const response = await fetch(`${stripe.base_url}/v1/customers?limit=1`, {
      headers: { Authorization: `Bearer ${KEY}` },
    });
    expect(response.status).toBe(200);
    expect(new URL(stripe.base_url).hostname).toBe('127.0.0.1');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

describe("README's CLI walkthrough", { timeout: 420_000 }, () => {
  const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = /\n### The `dinobase` CLI\n([\s\S]*?)(?=\n## )/.exec(README)?.[1] ?? '';
  /** The pasteable blocks; the one that starts the (long-running) sandbox is this test's own server instead. */
  const steps = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((block) => !block.includes('dinobase sandbox'));

  it('runs as written in a shell, and the confirmed write reaches the sandbox', async () => {
    expect(steps).toHaveLength(1);
    const sandbox = await serveSandboxes();
    const walkHome = mkdtempSync(join(tmpdir(), 'dinobase-cli-readme-'));
    try {
      const id = 'cus_0wCUPznYDDIKKN';
      expect(sandbox.sandboxes.stripe.store.get('customers', id)?.name).not.toBe('Acme');
      const script = steps[0]!.replaceAll('http://127.0.0.1:8788', new URL(sandbox.base).origin);
      const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: REPO,
        env: { ...childEnv(), DINOBASE_HOME: walkHome },
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect(output).not.toContain('Error');
      expect(code).toBe(0);
      expect(sandbox.sandboxes.stripe.store.get('customers', id)?.name).toBe('Acme');
      expect(output).toMatch(/^name\n-+\nAcme\n\(1 row\)$/m);
    } finally {
      await sandbox.close();
      rmSync(walkHome, { recursive: true, force: true });
    }
  });
});
