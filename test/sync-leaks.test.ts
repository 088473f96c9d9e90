// 200 syncs against the Stripe sandbox (successes, failures, cancels): open connections and staging tables stay flat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncOptions, SyncResult } from '../worker/sync/engine.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const RESOURCES = ['products', 'prices'];

function sync(options: SyncOptions = {}, credentials?: Record<string, string>): Promise<SyncResult> {
  return h.engine.sync(
    'stripe',
    {
      type: 'stripe',
      base_url: h.base('stripe'),
      credentials: credentials ?? h.sandboxes.credentials.stripe,
      resources: RESOURCES,
    },
    options,
  );
}

/** Aborts the sync once `resource` reports `phase`: products are staged by then. */
function cancelAt(resource: string, phase: 'fetching' | 'loading'): SyncOptions {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.resource === resource && p.phase === phase) controller.abort(new Error('cancelled by the test'));
    },
  };
}

async function stagingTables(): Promise<number> {
  const [row] = await h.db.query(
    "SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = '_dinobase_staging'",
  );
  return Number(row?.n);
}

describe('syncing many times', () => {
  it('closes its connection and drops its staging after every success, failure and cancel', async () => {
    expect((await sync()).status).toBe('success');
    const connections = h.db.openConnections;
    expect(await stagingTables()).toBe(0);
    const seen: Record<string, number> = {};
    const note = (kind: string, result: SyncResult, expected: RegExp | null) => {
      if (expected === null) expect(result, kind).toMatchObject({ status: 'success', error: null });
      else expect(result.error, kind).toMatch(expected);
      seen[kind] = (seen[kind] ?? 0) + 1;
    };
    for (let i = 0; i < 200; i++) {
      switch (i % 5) {
        case 0:
          note('success', await sync(), null);
          break;
        case 1:
          // Products are staged when the prices page turns out malformed.
          h.sandboxes.stripe.failNext({ match: /^\/v1\/prices$/, body: '{"object":"list","data":[{"id":' });
          note('malformed', await sync(), /malformed JSON/);
          break;
        case 2:
          note('bad key', await sync({}, { api_key: 'sk_test_wrong_key_1234' }), /HTTP 401/);
          break;
        case 3:
          note('cancel while fetching', await sync(cancelAt('prices', 'fetching')), /cancelled/);
          break;
        default:
          note('cancel before commit', await sync(cancelAt('prices', 'loading')), /cancelled/);
      }
    }
    expect(seen).toEqual({
      success: 40,
      malformed: 40,
      'bad key': 40,
      'cancel while fetching': 40,
      'cancel before commit': 40,
    });
    expect({ connections: h.db.openConnections, staging: await stagingTables() }).toEqual({
      connections,
      staging: 0,
    });
  }, 900_000);
});
