// TEAM (issue 15): pulling a published table into a tab through the proxy vs P2's direct sync of the same rows, both in Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Publisher } from '../node/publish/publisher.ts';
import { SANDBOX_CREDENTIALS } from '../proxy/sandbox/index.ts';
import { freshProfile, launch } from '../test/e2e/browser.ts';
import { S3_ENV, startS3 } from '../test/s3-kit.ts';
import { DinobaseDB } from '../worker/db.ts';
import { openNativeDuckDB } from '../worker/duckdb/native.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { benchReady } from './chromium.ts';
import { startProxyProcess } from './relay.ts';
import { ms, type Row } from './stats.ts';
import { syncInChromium, type SyncBench } from './sync-chromium.ts';
import { startSandboxProcess } from './sync.ts';

declare const dinobaseSyncBench: SyncBench;

/** The same size as P8 (the sandbox's largest at a vendor's pace); BENCH_TEAM_CUSTOMERS overrides it. */
const CUSTOMERS = Number(process.env.BENCH_TEAM_CUSTOMERS ?? process.env.BENCH_P8_CUSTOMERS ?? 300_000);

/**
 * The server side syncs the sandbox's customers once (native DuckDB, direct) and publishes them to a real S3 API
 * (s3rver) that the proxy reads; a fresh Chromium profile pulls them (manifest, Parquet, parquet-wasm, OPFS). The baseline is P2's
 * sync of the same sandbox's customers through the relay into a fresh profile.
 */
export async function benchTeamPull(): Promise<Row[]> {
  const name = `pull ${(CUSTOMERS / 1000).toLocaleString('en-US')}k published Stripe customers from s3rver via the proxy into OPFS vs P2's sync of them`;
  const home = mkdtempSync(join(tmpdir(), 'dinobase-bench-team-'));
  const sandbox = await startSandboxProcess(CUSTOMERS, undefined, CUSTOMERS > 200_000 ? 12_288 : undefined);
  const s3 = await startS3();
  try {
    const staging = join(home, 'staging');
    const db = new DinobaseDB(join(home, 'server.duckdb'), {
      open: (options) => openNativeDuckDB({ ...options, exportDir: staging }),
    });
    try {
      await db.addSource({ name: 'team', type: 'stripe', resources: ['customers'] });
      const synced = await new SyncEngine(db).sync('team', {
        type: 'stripe',
        resources: ['customers'],
        base_url: sandbox.base,
        credentials: { api_key: SANDBOX_CREDENTIALS.stripe.api_key },
      });
      if (synced.status !== 'success') throw new Error(`server sync: ${synced.error}`);
      await new Publisher(db, {
        target: s3.target('bench'),
        stagingDir: staging,
      }).publish('team');
    } finally {
      await db.close();
    }
    const proxy = await startProxyProcess(sandbox.base, {
      ...S3_ENV,
      DINOBASE_PUBLISH_URL: `s3://${s3.bucket}/bench`,
      DINOBASE_S3_ENDPOINT: s3.endpoint,
    });
    const profile = freshProfile();
    let pullMs: number;
    try {
      const context = await launch(profile.dir);
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        await page.goto(`${proxy.origin}/bench/page.html`);
        await benchReady(page);
        const timing = await page.evaluate(() => dinobaseSyncBench.pullTeam('team', 'customers'));
        if (timing.loaded !== CUSTOMERS) throw new Error(`pulled ${timing.loaded} of ${CUSTOMERS} rows`);
        pullMs = timing.ms;
      } finally {
        await context.close();
      }
    } finally {
      proxy.stop();
      profile.remove();
    }
    const p2 = await syncInChromium(CUSTOMERS, false);
    if (p2.error) throw new Error(`P2 sync: ${p2.error}`);
    const ratio = p2.syncMs / pullMs;
    return [
      {
        benchmark: name,
        ours: ms(pullMs),
        baseline: ms(p2.syncMs),
        ratio: `${ratio.toFixed(2)}× faster`,
        goal: '≥ 3×',
        verdict: ratio >= 3 ? 'yes' : 'no',
      },
    ];
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return [{ benchmark: name, ours: problem, baseline: '-', ratio: '-', goal: '≥ 3×', verdict: 'no' }];
  } finally {
    sandbox.stop();
    await s3.close();
    rmSync(home, { recursive: true, force: true });
  }
}
