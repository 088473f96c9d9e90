// Runs the sandbox APIs on their own (PORT, HOST, STRIPE_CUSTOMERS): a separate "vendor" process for benchmarks and demos.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createSandboxes } from './index.ts';

const stripeCustomers = Number(process.env.STRIPE_CUSTOMERS ?? 180);
const hostname = process.env.HOST ?? '127.0.0.1';
const sandboxes = createSandboxes({
  stripeCustomers,
  rateLimit: { requests: Number(process.env.RATE_LIMIT ?? 1000), perSeconds: 1 },
});
// With --expose-gc (as the benchmarks start it), collect the generation's garbage before serving.
(globalThis as { gc?: () => void }).gc?.();
const app = new Hono().route('/sandbox', sandboxes.app);
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8788), hostname }, (info: AddressInfo) => {
  // The first line is machine-readable so a parent process can find the port.
  console.log(`SANDBOX_URL=http://${hostname}:${info.port}/sandbox/`);
});
