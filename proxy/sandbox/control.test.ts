// Shared control plumbing: the sliding window, fault queue semantics and mount-independent request paths.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../worker/sample/dataset.ts';
import { Control } from './control.ts';
import { createSandboxes } from './index.ts';
import { ManualClock } from '../../worker/testing.ts';

describe('sliding window', () => {
  it('admits `requests` per window, frees slots as old requests age out, and keys by credential', () => {
    const clock = new ManualClock(1_000_000);
    const control = new Control(() => clock.now(), { requests: 3, perSeconds: 2 });
    expect([1, 2, 3].map(() => control.admit('a').allowed)).toEqual([true, true, true]);
    clock.advance(500);
    const denied = control.admit('a');
    expect(denied).toMatchObject({ allowed: false, remaining: 0, used: 3, retryAfter: 2 });
    expect(control.admit('b').allowed).toBe(true);
    clock.advance(1499);
    expect(control.admit('a').allowed).toBe(false);
    clock.advance(1);
    expect(control.admit('a')).toMatchObject({ allowed: true, used: 1, remaining: 2 });
    expect(control.peek('a').used).toBe(1);
  });

  it('rejects a nonsensical limit', () => {
    expect(() => new Control(Date.now, { requests: 0, perSeconds: 1 })).toThrow(RangeError);
  });
});

describe('mounting', () => {
  it('logs paths relative to the vendor mount whatever prefix the app is mounted under', async () => {
    const sandboxes = createSandboxes({ dataset: generateDataset({ stripeCustomers: 5 }) });
    const app = new Hono();
    app.route('/deep/prefix', sandboxes.app);
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/deep/prefix/stripe/v1/customers?limit=2`, {
        headers: { Authorization: `Bearer ${sandboxes.credentials.stripe.api_key}` },
      });
      expect(res.status).toBe(200);
      expect(sandboxes.stripe.requests).toEqual([
        { method: 'GET', path: '/v1/customers', query: { limit: '2' }, at: expect.any(Number), status: 200 },
      ]);
      sandboxes.stripe.failNext({
        match: /^\/v1\/customers$/,
        status: 418,
        body: 'teapot',
        contentType: 'text/plain',
      });
      const failed = await fetch(`http://127.0.0.1:${port}/deep/prefix/stripe/v1/customers`);
      expect([failed.status, await failed.text()]).toEqual([418, 'teapot']);
      expect(sandboxes.hubspot.requests).toEqual([]);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  it('exposes the documented demo credentials', () => {
    const { credentials } = createSandboxes({ dataset: generateDataset({ stripeCustomers: 1 }) });
    expect(credentials).toEqual({
      stripe: { api_key: 'sk_test_dinobase_sandbox' },
      hubspot: { access_token: 'pat-na1-dinobase-sandbox' },
      github: { access_token: 'ghp_dinobaseSandbox' },
      linear: { api_key: 'lin_api_dinobase_sandbox' },
    });
  });
});
