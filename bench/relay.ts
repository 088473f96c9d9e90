// Relay overhead: the same Stripe pages walked and synced through the proxy relay vs straight from the API.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_CREDENTIALS } from '../proxy/sandbox/index.ts';
import { DinobaseDB } from '../worker/db.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { relayBase, relayTransport } from '../worker/sync/transport.ts';
import { ms, type Row } from './stats.ts';
import { rawFetchParse, startSandboxProcess } from './sync.ts';

const CUSTOMERS = 20_000;
const ROUNDS = 5;
const GOAL = 0.85;

/** The proxy in its own process, holding the key for a source `bench` that points at the sandbox process. */
export async function startProxyProcess(
  sandboxBase: string,
  /** More environment for the proxy (the team bench: DINOBASE_PUBLISH_URL). */
  extraEnv: Record<string, string> = {},
): Promise<{ origin: string; stop(): void }> {
  const home = mkdtempSync(join(tmpdir(), 'dinobase-bench-home-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'node/serve.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DINOBASE_HOME: home,
      DINOBASE_SANDBOX: 'off',
      DINOBASE_BENCH_TYPE: 'stripe',
      DINOBASE_BENCH_API_KEY: SANDBOX_CREDENTIALS.stripe.api_key,
      DINOBASE_BENCH_BASE_URL: sandboxBase,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /running at (\S+)/.exec(buffer);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)));
  });
  return {
    origin,
    stop: () => {
      child.kill();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function time<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await run();
  return [value, performance.now() - started];
}

export async function benchRelay(): Promise<Row[]> {
  const sandbox = await startSandboxProcess(CUSTOMERS);
  const proxy = await startProxyProcess(sandbox.base);
  const key = SANDBOX_CREDENTIALS.stripe.api_key;
  const relayed = relayBase(proxy.origin, 'bench').href;
  try {
    await rawFetchParse(sandbox.base, key);
    await rawFetchParse(relayed, ''); // warm both paths
    // One walk of each swings 0.2-1.3x on a busy 2-core machine: alternate ROUNDS pairs (order flipped each
    // round so neither path always runs second) and report the median pair's ratio.
    const pairs: { directMs: number; relayMs: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const walk = (base: string, k: string) => time(() => rawFetchParse(base, k));
      const direct = round % 2 === 0 ? await walk(sandbox.base, key) : null;
      const [relayRows, relayMs] = await walk(relayed, '');
      const [directRows, directMs] = direct ?? (await walk(sandbox.base, key));
      if (directRows !== CUSTOMERS || relayRows !== CUSTOMERS)
        throw new Error('relay bench: row counts differ');
      pairs.push({ directMs, relayMs });
    }
    pairs.sort((a, b) => a.directMs / a.relayMs - b.directMs / b.relayMs);
    const { directMs, relayMs } = pairs[Math.floor(pairs.length / 2)]!;

    const db = new DinobaseDB(':memory:');
    await db.conn;
    const engine = new SyncEngine(db, { transport: relayTransport({ origin: proxy.origin, fetch }) });
    const [result, syncMs] = await time(() =>
      engine.sync('bench', { type: 'stripe', resources: ['customers'] }),
    );
    if (result.status !== 'success') throw new Error(`relay sync failed: ${result.error}`);
    const loaded = await db.getRowCount('bench', 'customers');
    await db.close();
    if (loaded !== CUSTOMERS) throw new Error(`relay sync loaded ${loaded} of ${CUSTOMERS}`);
    const walk = directMs / relayMs;
    const sync = directMs / syncMs;
    return [
      {
        benchmark: `walk ${CUSTOMERS / 1000}k Stripe customers' pages through the relay vs straight to the API (fetch+parse, median of ${ROUNDS} alternating pairs)`,
        ours: ms(relayMs),
        baseline: ms(directMs),
        ratio: `${walk.toFixed(2)}× throughput`,
        // One more loopback HTTP hop per page; against a real API's ~100 ms pages it is a few percent.
        goal: `≥ ${GOAL}×`,
        verdict: walk >= GOAL ? 'yes' : 'no',
      },
      {
        benchmark: `sync ${CUSTOMERS / 1000}k Stripe customers through the relay vs raw direct fetch+parse`,
        ours: ms(syncMs),
        baseline: ms(directMs),
        ratio: `${sync.toFixed(2)}× throughput`,
        goal: 'report',
        verdict: '-',
      },
    ];
  } finally {
    proxy.stop();
    sandbox.stop();
  }
}
