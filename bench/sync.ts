// Sync throughput: 100k Stripe customers from the sandbox into DuckDB vs fetching and JSON-parsing the same pages.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createSandboxes } from '../proxy/sandbox/index.ts';
import { DinobaseDB } from '../worker/db.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { ms, type Row } from './stats.ts';

const CUSTOMERS = 100_000;

/** What a sync must at least do: walk every page over HTTP and parse it, loading nothing. */
async function rawFetchParse(base: string, key: string): Promise<number> {
  let rows = 0;
  let after: string | null = null;
  for (;;) {
    const url = new URL('v1/customers?limit=100', base);
    if (after) url.searchParams.set('starting_after', after);
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    const page = JSON.parse(await response.text()) as { data: { id: string }[]; has_more: boolean };
    rows += page.data.length;
    if (!page.has_more) return rows;
    after = page.data.at(-1)!.id;
  }
}

export async function benchSync(): Promise<Row[]> {
  const sandboxes = createSandboxes({
    stripeCustomers: CUSTOMERS,
    rateLimit: { requests: 1_000_000, perSeconds: 1 },
  });
  const app = new Hono().route('/sandbox', sandboxes.app);
  const { server, base } = await new Promise<{ server: ReturnType<typeof serve>; base: string }>(
    (resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve({ server: s, base: `http://127.0.0.1:${info.port}/sandbox/stripe/` }),
      );
    },
  );
  const key = sandboxes.credentials.stripe.api_key;
  try {
    await rawFetchParse(base, key); // warm the sandbox's indexes and the HTTP stack alike
    let started = performance.now();
    const rawRows = await rawFetchParse(base, key);
    const rawMs = performance.now() - started;

    const db = new DinobaseDB(':memory:');
    await db.conn;
    const engine = new SyncEngine(db);
    started = performance.now();
    const result = await engine.sync('stripe', {
      type: 'stripe',
      base_url: base,
      credentials: sandboxes.credentials.stripe,
      resources: ['customers'],
    });
    const syncMs = performance.now() - started;
    if (result.status !== 'success') throw new Error(`sync failed: ${result.error}`);
    const loaded = await db.getRowCount('stripe', 'customers');
    await db.close();
    if (loaded !== CUSTOMERS || rawRows !== CUSTOMERS)
      throw new Error(`expected ${CUSTOMERS}, loaded ${loaded}`);
    const ratio = rawMs / syncMs;
    return [
      {
        benchmark: `sync 100k Stripe customers into DuckDB vs raw fetch+parse (Node)`,
        ours: `${ms(syncMs)} (${Math.round(CUSTOMERS / (syncMs / 1000)).toLocaleString('en-US')} rows/s)`,
        baseline: `${ms(rawMs)} (${Math.round(CUSTOMERS / (rawMs / 1000)).toLocaleString('en-US')} rows/s)`,
        ratio: `${ratio.toFixed(2)}× throughput`,
        goal: '≥ 0.7×',
        verdict: ratio >= 0.7 ? 'yes' : 'no',
      },
    ];
  } finally {
    server.close();
  }
}
