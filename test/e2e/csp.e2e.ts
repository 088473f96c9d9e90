// e2e: the engine's workers run under the CSP their scripts are served with, so they cannot reach another origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCanary, type Upstream } from '../probe-kit.ts';
import { openApp, type App } from './browser.ts';

let app: App;
let canary: Upstream;

beforeAll(async () => {
  canary = await startCanary();
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
  await canary?.close();
});

describe('worker CSP', () => {
  it('blocks a request from every worker to another origin before it leaves the browser', async () => {
    const { page } = app;
    // The engine worker, and DuckDB's worker nested in it, once the database is open.
    await expect.poll(() => page.workers().length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const target = `${canary.origin}/worker-leak`;
    for (const worker of page.workers()) {
      const outcome = await worker.evaluate(
        (url) =>
          fetch(url, { mode: 'no-cors' }).then(
            () => 'reached',
            () => 'blocked',
          ),
        target,
      );
      expect(outcome, worker.url()).toBe('blocked');
    }
    // Control: the same fetch from a worker to this origin goes through.
    const own = await page.workers()[0]!.evaluate(async () => (await fetch('/api/health')).status);
    expect(own).toBe(200);
    expect(canary.seen).toEqual([]);
  });
});
