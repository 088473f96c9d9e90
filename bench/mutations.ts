// Write-back: a 50-row UPDATE confirmed against a Stripe sandbox throttled to N requests/s, vs the throttle's floor.
import { SANDBOX_CREDENTIALS } from '../proxy/sandbox/index.ts';
import { builtinConnectors } from '../worker/connectors/builtin.ts';
import { DinobaseDB } from '../worker/db.ts';
import { WriteBack } from '../worker/mutations/writer.ts';
import { MutationEngine, isMutationFailure } from '../worker/query/mutations.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { directTransport } from '../worker/sync/transport.ts';
import { ms, type Row } from './stats.ts';
import { startSandboxProcess } from './sync.ts';

const ROWS = 50;
const PER_SECOND = Number(process.env.BENCH_WRITE_RPS ?? 10);

export async function benchMutations(): Promise<Row[]> {
  const sandbox = await startSandboxProcess(200, PER_SECOND);
  const credentials = SANDBOX_CREDENTIALS.stripe;
  const db = new DinobaseDB(':memory:');
  try {
    await db.conn;
    await db.addSource({ name: 'stripe', type: 'stripe', base_url: sandbox.base });
    const syncs = new SyncEngine(db);
    const synced = await syncs.sync('stripe', {
      type: 'stripe',
      base_url: sandbox.base,
      credentials,
      resources: ['customers'],
    });
    if (synced.status !== 'success') throw new Error(`bench sync failed: ${synced.error}`);
    // Let the sandbox's one-second window empty, so the write starts from a fresh quota like the floor assumes.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const writer = new WriteBack(db, {
      transport: directTransport(fetch),
      connectors: builtinConnectors(),
      clock: db.clock,
      credentials: () => credentials,
    });
    const mutations = new MutationEngine(db, { writer });
    const preview = await mutations.handleSql(
      `UPDATE stripe.customers SET description = 'bench ' || id
       WHERE id IN (SELECT id FROM stripe.customers ORDER BY id LIMIT ${ROWS})`,
    );
    if (isMutationFailure(preview) || !('mutation_id' in preview))
      throw new Error(`bench preview failed: ${JSON.stringify(preview)}`);
    const started = performance.now();
    const result = await mutations.confirm(preview.mutation_id);
    const elapsed = performance.now() - started;
    if (isMutationFailure(result)) throw new Error(`bench confirm failed: ${result.error}`);
    const calls = result.api_write_back.details.length;

    // Lost writes: read every customer back from the API and compare with what was written.
    const ids = (await db.query(`SELECT id FROM stripe.customers ORDER BY id LIMIT ${ROWS}`)).map((r) =>
      String(r.id),
    );
    let lost = 0;
    for (const id of ids) {
      for (;;) {
        const response = await fetch(new URL(`v1/customers/${id}`, sandbox.base), {
          headers: { authorization: `Bearer ${credentials.api_key}` },
        });
        if (response.status === 429) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          continue;
        }
        const customer = (await response.json()) as { description: string | null };
        if (customer.description !== `bench ${id}`) lost += 1;
        break;
      }
    }
    // Every row is one re-read (the stale-preview check) and one write: 2 requests per row under the limit.
    const requests = result.api_write_back.succeeded * 2;
    const floorMs = ((requests - PER_SECOND) / PER_SECOND) * 1000;
    const ratio = elapsed / floorMs;
    return [
      {
        benchmark: `confirm a ${ROWS}-row UPDATE (re-read + write per row) against Stripe throttled to ${PER_SECOND} req/s; lost writes`,
        ours: `${ms(elapsed)}, ${result.api_write_back.succeeded}/${calls} ok, ${lost} lost`,
        baseline: `${ms(floorMs)} floor (${requests} requests, first ${PER_SECOND} free)`,
        ratio: `${ratio.toFixed(2)}×`,
        goal: '≤ 1.2×, 0 lost',
        verdict: ratio <= 1.2 && lost === 0 && result.api_write_back.failed === 0 ? 'yes' : 'no',
      },
    ];
  } finally {
    await db.close();
    sandbox.stop();
  }
}
