// Fault suite: a real Hono server on loopback serves Stripe-shaped pages with eight fault shapes to the SyncEngine.
import { serve } from '@hono/node-server';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../worker/connectors/registry.ts';
import type { ConnectorSpecInput } from '../worker/connectors/spec.ts';
import type { DinobaseDB } from '../worker/db.ts';
import { SyncEngine, type SyncResult } from '../worker/sync/engine.ts';
import { MAX_EMPTY_PAGES } from '../worker/sync/fetcher.ts';
import { loadCursors } from '../worker/sync/state.ts';
import { ManualClock, memoryDB } from '../worker/testing.ts';
import { snapshot } from './harness.ts';

type FaultKind =
  'empty' | 'truncated' | 'stall' | '503' | '429' | 'malformed' | 'shape' | 'reset' | 'repeat' | '429-long';
interface Fault {
  kind: FaultKind;
  page: number;
  /** How many requests for that page get the fault; default 1. */
  times: number;
}

const LIMIT = 100;
const T0 = 1_750_000_000;

/** Stripe-shaped customers: `data`, `has_more`, `starting_after`, `created[gte]`, newest last. */
function shop() {
  const customers: { id: string; created: number; name: string }[] = [];
  const add = (n: number) => {
    for (let i = 0; i < n; i++) {
      const k = customers.length;
      customers.push({ id: `cus_${String(k).padStart(5, '0')}`, created: T0 + k, name: `Customer ${k}` });
    }
  };
  const faults: Fault[] = [];
  const seen: number[] = [];
  const app = new Hono<{ Bindings: { incoming: IncomingMessage } }>();
  app.get('/v1/customers', async (c) => {
    const gte = Number(c.req.query('created[gte]') ?? 0);
    const after = c.req.query('starting_after');
    const list = customers.filter((x) => x.created >= gte);
    const from = after ? list.findIndex((x) => x.id === after) + 1 : 0;
    const page = Math.floor(from / LIMIT) + 1;
    seen.push(page);
    const data = list.slice(from, from + LIMIT);
    const body = JSON.stringify({
      object: 'list',
      url: '/v1/customers',
      has_more: from + LIMIT < list.length,
      data,
    });
    const fault = faults.find((f) => f.page === page);
    if (fault?.kind === 'repeat') {
      // Ignores starting_after from this page on: the same records again, so the cursor never advances.
      const first = list.slice(0, LIMIT);
      return c.json({ object: 'list', url: '/v1/customers', has_more: true, data: first });
    }
    if (!fault) return c.body(body, 200, { 'content-type': 'application/json' });
    if (--fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
    switch (fault.kind) {
      case 'empty':
        return c.json({ object: 'list', url: '/v1/customers', has_more: true, data: [] });
      case 'truncated':
      case 'stall': {
        const half = new TextEncoder().encode(body.slice(0, body.length / 2));
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(half);
            // The rest never comes: a stall waits forever, a truncation breaks the connection mid-body.
            if (fault.kind === 'truncated') setTimeout(() => controller.error(new Error('cut')), 20);
          },
        });
        return c.body(stream, 200, { 'content-type': 'application/json' });
      }
      case '503':
        return c.json({ error: { message: 'Service temporarily unavailable' } }, 503);
      case '429':
        return c.json({ error: { message: 'Too many requests' } }, 429, { 'retry-after': '20' });
      case '429-long':
        return c.json({ error: { message: 'Too many requests' } }, 429, { 'retry-after': '120' });
      case 'malformed':
        return c.body('{"object": "list", "data": [{"id": "cus_', 200, {
          'content-type': 'application/json',
        });
      case 'shape':
        return c.json({ object: 'list', has_more: true, data: 'customers' });
      case 'reset':
        c.env.incoming.socket.destroy();
        return new Promise<Response>(() => undefined);
    }
  });
  // Stripe's search API pages with `page`/`next_page` tokens; `empties` empty pages (each with a fresh token and
  // has_more) come before the page at offset `emptyAt`.
  let empties = { at: -1, count: 0 };
  app.get('/v1/customers/search', (c) => {
    const token = c.req.query('page') ?? 'o0';
    const [, offsetText, skippedText] = /^o(\d+)(?:e(\d+))?$/.exec(token) ?? [];
    const offset = Number(offsetText);
    const skipped = Number(skippedText ?? 0);
    seen.push(offset / LIMIT + 1);
    if (offset === empties.at && skipped < empties.count) {
      return c.json({
        object: 'search_result',
        data: [],
        has_more: true,
        next_page: `o${offset}e${skipped + 1}`,
      });
    }
    const data = customers.slice(offset, offset + LIMIT);
    const more = offset + LIMIT < customers.length;
    return c.json({
      object: 'search_result',
      data,
      has_more: more,
      next_page: more ? `o${offset + LIMIT}` : null,
    });
  });
  return {
    app,
    add,
    emptyPages: (atPage: number, count: number) => (empties = { at: (atPage - 1) * LIMIT, count }),
    seen,
    count: () => customers.length,
    arm: (kind: FaultKind, page: number, times = 1) => faults.push({ kind, page, times }),
    disarm: () => {
      faults.splice(0);
      empties = { at: -1, count: 0 };
    },
  };
}

/** Stripe's search endpoint: a json_cursor walk, where an empty page can still carry the token to go on. */
const searchSpec: ConnectorSpecInput = {
  name: 'shop_search',
  description: 'A Stripe-shaped search',
  credentials: [{ name: 'api_key' }],
  client: {
    base_url: 'https://api.shop.test/',
    allowed_hosts: ['api.shop.test'],
    auth: { type: 'bearer', token: '{api_key}' },
    paginator: { type: 'json_cursor', cursor_path: 'next_page', cursor_param: 'page' },
  },
  resource_defaults: { params: { limit: LIMIT } },
  resources: [{ name: 'customers', endpoint: { path: 'v1/customers/search', data_selector: 'data' } }],
};

const spec = (budget?: string): ConnectorSpecInput => ({
  name: budget ? 'shop_budget' : 'shop',
  description: 'A Stripe-shaped customer list',
  credentials: [{ name: 'api_key' }],
  client: {
    base_url: 'https://api.shop.test/',
    allowed_hosts: ['api.shop.test'],
    auth: { type: 'bearer', token: '{api_key}' },
    paginator: { type: 'last_record_cursor' },
    ...(budget ? { retry: { budget } } : {}),
  },
  resource_defaults: { params: { limit: LIMIT } },
  resources: [
    {
      name: 'customers',
      endpoint: { path: 'v1/customers', data_selector: 'data' },
      incremental: { cursor_path: 'created', initial_value: 0, param: 'created[gte]' },
    },
  ],
});

let server: ReturnType<typeof serve>;
let base = '';
let api: ReturnType<typeof shop>;
let clock: ManualClock;
let db: DinobaseDB;
let engine: SyncEngine;

const sync = (options: { timeoutMs?: number; type?: string } = {}): Promise<SyncResult> =>
  engine.sync(
    'shop',
    { type: options.type ?? 'shop', base_url: base, credentials: { api_key: 'sk_test_faults' } },
    { timeoutMs: options.timeoutMs },
  );

/** Everything a failed sync must leave as it was: the tables, their columns, and the cursors. */
async function state(): Promise<unknown> {
  return {
    tables: await snapshot(db, 'shop'),
    columns: await db.getColumns('shop', 'customers'),
    cursors: Object.fromEntries(await loadCursors(db, 'shop')),
  };
}

beforeAll(async () => {
  api = shop();
  api.add(250);
  await new Promise<void>((resolve) => {
    server = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      base = `http://127.0.0.1:${info.port}/`;
      resolve();
    });
  });
  clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
  db = memoryDB(clock);
  const connectors = new ConnectorRegistry();
  connectors.add(spec());
  connectors.add(spec('5s'));
  connectors.add(searchSpec);
  engine = new SyncEngine(db, { clock, connectors });
  expect(await sync()).toMatchObject({ status: 'success', rows_synced: 250 });
});

afterAll(async () => {
  (server as unknown as { closeAllConnections(): void }).closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
});

beforeEach(() => {
  api.disarm();
  api.seen.length = 0;
});

/** New records since the last sync, so the next (incremental) walk has several pages to fault. */
function grow(): void {
  api.add(250);
}

async function expectFailureKeepsState(
  fault: () => void,
  message: RegExp,
  options?: { timeoutMs?: number },
): Promise<void> {
  grow();
  const before = await state();
  fault();
  const failed = await sync(options);
  expect(failed.status).toBe('error');
  expect(failed.error).toMatch(message);
  expect(await state()).toEqual(before);
  // Nothing was lost: the next clean sync brings every record, the cursor moved only now.
  api.disarm();
  expect(await sync()).toMatchObject({ status: 'success', error: null });
  expect(await db.getRowCount('shop', 'customers')).toBe(api.count());
  expect((await loadCursors(db, 'shop')).get('customers')).toBe(T0 + api.count() - 1);
}

describe('sync faults', () => {
  it('an empty page with has_more fails naming resource and page; the cursor does not move', async () => {
    await expectFailureKeepsState(
      () => api.arm('empty', 2),
      /^shop\.customers: page 2: the page is empty but has_more is true; stopping here would silently drop/,
    );
  });

  it('a truncated body is retried and the sync completes', async () => {
    grow();
    api.arm('truncated', 2, 2);
    expect(await sync()).toMatchObject({ status: 'success', error: null });
    expect(api.seen.filter((p) => p === 2)).toHaveLength(3);
    expect(await db.getRowCount('shop', 'customers')).toBe(api.count());
  });

  it('a body truncated on every attempt fails naming resource, page and the attempts', async () => {
    await expectFailureKeepsState(
      () => api.arm('truncated', 3, 1000),
      /^shop\.customers: page 3: gave up after \d+ attempts over \d+ s: body of GET .*\/v1\/customers.* broke off: /,
    );
  });

  it('a stalled response times out naming resource, page and the timeout', async () => {
    // A real timeout (AbortSignal.timeout), long enough for page 1 to arrive on a busy machine first.
    await expectFailureKeepsState(
      () => api.arm('stall', 2),
      /^Sync of shop interrupted: timed out after 5000 ms while fetching shop\.customers page 2\. Previous data is unchanged\.$/,
      { timeoutMs: 5000 },
    );
  });

  it('a storm of six 503s is outlasted within the retry budget', async () => {
    grow();
    api.arm('503', 2, 6);
    const started = clock.now();
    expect(await sync()).toMatchObject({ status: 'success', error: null });
    expect(api.seen.filter((p) => p === 2)).toHaveLength(7);
    expect(clock.now() - started).toBeLessThan(60_000);
    expect(await db.getRowCount('shop', 'customers')).toBe(api.count());
  });

  it('an endless 503 storm gives up once the 60 s budget is spent, reporting attempts and time', async () => {
    const started = clock.now();
    await expectFailureKeepsState(
      () => api.arm('503', 1, 1000),
      /^shop\.customers: page 1: gave up after \d+ attempts over (5\d|60) s: HTTP 503 from GET .*: Service temporarily unavailable\.$/,
    );
    expect(clock.now() - started).toBeGreaterThanOrEqual(50_000);
  });

  it("a connector's own retry budget (client.retry.budget) bounds the storm", async () => {
    api.arm('503', 1, 1000);
    const started = clock.now();
    const result = await sync({ type: 'shop_budget' });
    expect(result.error).toMatch(
      /^shop\.customers: page 1: gave up after \d+ attempts over [45] s: HTTP 503/,
    );
    const attempts = Number(/after (\d+) attempts/.exec(result.error!)![1]);
    expect(api.seen).toHaveLength(attempts);
    expect(clock.now() - started).toBeLessThanOrEqual(5_000);
  });

  it('429s with Retry-After are waited out and the sync completes', async () => {
    grow();
    api.arm('429', 2, 2);
    const started = clock.now();
    expect(await sync()).toMatchObject({ status: 'success', error: null });
    // Two waits of Retry-After: 20 on the (fake) clock.
    expect(clock.now() - started).toBeGreaterThanOrEqual(40_000);
    expect(await db.getRowCount('shop', 'customers')).toBe(api.count());
  });

  it('malformed JSON fails naming resource and page', async () => {
    await expectFailureKeepsState(
      () => api.arm('malformed', 2),
      /^shop\.customers: malformed JSON in page 2 from GET .*\/v1\/customers/,
    );
  });

  it('a page of the wrong shape fails naming resource and page', async () => {
    await expectFailureKeepsState(
      () => api.arm('shape', 3),
      /^shop\.customers: page 3 has no list of records at data\.$/,
    );
  });

  it('connection resets are retried and the sync completes', async () => {
    grow();
    api.arm('reset', 2, 2);
    expect(await sync()).toMatchObject({ status: 'success', error: null });
    expect(await db.getRowCount('shop', 'customers')).toBe(api.count());
  });

  it('a connection reset on every attempt fails naming resource and page', async () => {
    await expectFailureKeepsState(
      () => api.arm('reset', 2, 1000),
      /^shop\.customers: page 2: gave up after \d+ attempts over \d+ s: network error on GET .*\/v1\/customers/,
    );
  });

  it('a page that repeats the previous one (a cursor that does not advance) fails instead of looping', async () => {
    await expectFailureKeepsState(
      () => api.arm('repeat', 2, 1000),
      /^shop\.customers: page 2: the next page would repeat page 2's request \(the cursor did not advance\)/,
    );
  });

  it('a few empty pages that carry a next token are followed and nothing is lost', async () => {
    api.emptyPages(2, MAX_EMPTY_PAGES);
    const result = await engine.sync('search', {
      type: 'shop_search',
      base_url: base,
      credentials: { api_key: 'k' },
    });
    expect(result).toMatchObject({ status: 'success', error: null, rows_synced: api.count() });
    expect(api.seen.filter((p) => p === 2)).toHaveLength(MAX_EMPTY_PAGES + 1);
  });

  it('an endless run of empty pages that carry a next token fails after the bound, naming the page', async () => {
    api.emptyPages(2, 1000);
    const result = await engine.sync('search', {
      type: 'shop_search',
      base_url: base,
      credentials: { api_key: 'k' },
    });
    expect(result.status).toBe('error');
    expect(result.error).toBe(
      `search.customers: page ${MAX_EMPTY_PAGES + 2}: ${MAX_EMPTY_PAGES + 1} empty pages in a row that each say there is more; giving up rather than loop.`,
    );
  });

  it('a Retry-After longer than the budget is capped by what is left of it, then the sync gives up', async () => {
    const started = clock.now();
    await expectFailureKeepsState(
      () => api.arm('429-long', 1, 1000),
      /^shop\.customers: page 1: gave up after 2 attempts over 60 s: HTTP 429 from GET .*: Too many requests\.$/,
    );
    expect(clock.now() - started).toBe(60_000);
  });
});
