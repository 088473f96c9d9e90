// Scale check: a 100,000-customer Stripe sandbox serves deep cursor and created-range pages correctly over real HTTP (speed is for bench/).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDataset, type Dataset } from '../../worker/sample/dataset.ts';
import { serveSandboxes, type ServedSandboxes } from './test-server.ts';

let served: ServedSandboxes;
let dataset: Dataset;
const headers = { Authorization: 'Bearer sk_test_dinobase_sandbox' };

beforeAll(async () => {
  dataset = generateDataset({ stripeCustomers: 100_000 });
  served = await serveSandboxes({ dataset });
}, 120_000);
afterAll(() => served.close());

type Page = { data: { id: string; created: number }[]; has_more: boolean };
const page = async (query: string): Promise<Page> => {
  const res = await fetch(`${served.base}/stripe/v1/customers?${query}`, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

it('serves 20 deep pages of 100 customers, and created-range pages, in order', async () => {
  const ordered = [...dataset.stripe.customers].sort((a, b) =>
    a.created !== b.created ? b.created - a.created : a.id < b.id ? 1 : -1,
  );
  const startAt = 90_000;
  for (let i = 0; i < 30; i++)
    await page(`limit=100&starting_after=${ordered[startAt - 5000 + i * 100]?.id}`);

  const timings: number[] = [];
  let after = ordered[startAt - 1]?.id ?? '';
  const seen: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const p = await page(`limit=100&starting_after=${after}`);
    timings.push(performance.now() - t);
    seen.push(...p.data.map((c) => c.id));
    after = p.data.at(-1)?.id ?? '';
    expect(p.has_more).toBe(true);
  }
  const total = performance.now() - t0;
  console.log(
    `100k customers: 20 pages (limit=100, starting_after at #${startAt}) in ${total.toFixed(1)} ms; per page ms:`,
    timings.map((t) => t.toFixed(1)).join(' '),
  );
  expect(seen).toEqual(ordered.slice(startAt, startAt + 2000).map((c) => c.id));

  // Created-range pages use the same index: bounded by bisection, not by scanning.
  const pivot = ordered[50_000]?.created ?? 0;
  const t1 = performance.now();
  const ranged = await page(`limit=100&created[lte]=${pivot}`);
  const rangedMs = performance.now() - t1;
  console.log(`created[lte] page over 100k customers: ${rangedMs.toFixed(1)} ms`);
  expect(ranged.data.every((c) => c.created <= pivot)).toBe(true);
  expect(ranged.data[0]?.id).toBe(ordered.find((c) => c.created <= pivot)?.id);
});
