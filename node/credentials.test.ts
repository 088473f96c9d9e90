// Node's credentials: the proxy's file and variables, applied to direct requests, never stored in DuckDB.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSandboxes, type ServedSandboxes } from '../proxy/sandbox/test-server.ts';
import { CredentialStore } from './credentials.ts';
import { DinobaseDB } from '../worker/db.ts';
import { openWith } from '../worker/duckdb/node.ts';
import { SyncEngine } from './headless.ts';

const root = mkdtempSync(join(tmpdir(), 'dinobase-credentials-'));
let served: ServedSandboxes;
beforeAll(async () => {
  served = await serveSandboxes();
});
afterAll(async () => {
  await served.close();
  rmSync(root, { recursive: true, force: true });
});

describe('CredentialStore in Node', () => {
  it("keeps keys in the proxy's credentials.json: 0600 in a 0700 home, with DINOBASE_<SOURCE>_<FIELD> on top", async () => {
    const home = join(root, 'home-a');
    const store = new CredentialStore({ home, env: {} });
    await store.put('billing', { type: 'stripe', credentials: { api_key: 'sk_test_from_file' } });
    expect(statSync(join(home, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(await store.credentials('billing')).toEqual({ api_key: 'sk_test_from_file' });
    // The same file, read by a store built like the proxy's, and overridden by the environment.
    const overridden = new CredentialStore({ home, env: { DINOBASE_BILLING_API_KEY: 'sk_test_from_env' } });
    expect(await overridden.credentials('billing')).toEqual({ api_key: 'sk_test_from_env' });
    expect(await new CredentialStore({ home, env: {} }).credentials('nope')).toBeUndefined();
    expect(JSON.stringify(await store.list())).not.toContain('sk_test_from_file');
  });

  it('lets a sync pass no credentials: they come from the store, straight to the vendor, and stay out of DuckDB', async () => {
    const home = join(root, 'home-b');
    const key = served.sandboxes.credentials.stripe.api_key;
    const store = new CredentialStore({
      home,
      env: { DINOBASE_STRIPE_BASE_URL: `${served.base}/stripe/` },
    });
    await store.put('stripe', { type: 'stripe', credentials: { api_key: key } });
    const path = join(home, 'dinobase.duckdb');
    const db = new DinobaseDB(path, { open: openWith('native') });
    const engine = new SyncEngine(db, { store });
    served.sandboxes.stripe.clearRequests();
    const result = await engine.sync('stripe', { type: 'stripe', resources: ['customers'] });
    expect(result).toMatchObject({ status: 'success', error: null });
    expect(served.sandboxes.stripe.requests.length).toBeGreaterThan(0);
    expect(await db.getRowCount('stripe', 'customers')).toBe(
      served.sandboxes.stripe.store.list('customers').length,
    );
    // A wrong key fails with the vendor's message, which never repeats the key.
    await store.put('stripe', { type: 'stripe', credentials: { api_key: 'sk_test_wrong_key_123' } });
    const failed = await engine.sync('stripe', { type: 'stripe', resources: ['customers'] });
    expect(failed.status).toBe('error');
    expect(failed.error).not.toContain('sk_test_wrong_key_123');
    await db.close();
    const file = readFileSync(path).toString('latin1');
    expect(file.includes(key)).toBe(false);
    expect(file.includes('sk_test_wrong_key_123')).toBe(false);
  });
});
