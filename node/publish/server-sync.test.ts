import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetList, DatasetManifest } from '../../proxy/contract.ts';
import { serveSandboxes, type ServedSandboxes } from '../../proxy/sandbox/test-server.ts';
import { DinobaseDB } from '../../worker/db.ts';
import { openWith } from '../../worker/duckdb/node.ts';
import { CredentialStore } from '../credentials.ts';
import { serveFromEnv, type Served } from '../serve.ts';
import { serverSyncFromEnv } from './server-sync.ts';

const home = mkdtempSync(join(tmpdir(), 'dinobase-server-sync-'));
const published = join(home, 'published');
let sandboxes: ServedSandboxes;
let served: Served | null = null;
const lines: string[] = [];

beforeAll(async () => {
  sandboxes = await serveSandboxes();
  // What `dinobase add stripe` leaves: the source in the database, its key in the credentials file.
  const db = new DinobaseDB(join(home, 'dinobase.duckdb'), { open: openWith('native') });
  await db.addSource({
    name: 'stripe',
    type: 'stripe',
    base_url: `${sandboxes.base}/stripe/`,
    resources: ['customers'],
  });
  await db.close();
  const store = new CredentialStore({ home, env: {} });
  await store.put('stripe', {
    type: 'stripe',
    credentials: { api_key: sandboxes.sandboxes.credentials.stripe.api_key },
  });
});
afterAll(async () => {
  await served?.close();
  await sandboxes?.close();
});

describe('npm start with DINOBASE_SYNC=server', () => {
  it('syncs each source on its schedule, publishes it, and serves it at /api/datasets', async () => {
    const env = {
      PORT: '0',
      DINOBASE_HOME: home,
      DINOBASE_SYNC: 'server',
      DINOBASE_PUBLISH_URL: `file://${published}`,
      DINOBASE_STRIPE_BASE_URL: `${sandboxes.base}/stripe/`,
    };
    served = await serveFromEnv(
      env,
      (line) => lines.push(line),
      (line) => lines.push(line),
    );
    expect(served, lines.join('\n')).not.toBeNull();
    const url = served!.running.url;
    await expect
      .poll(async () => DatasetList.parse(await (await fetch(`${url}/api/datasets`)).json()).datasets, {
        timeout: 60_000,
      })
      .toMatchObject([
        { source: 'stripe', source_type: 'stripe', tables: [{ name: 'customers', rows: 180 }] },
      ]);
    const manifest = DatasetManifest.parse(
      await (await fetch(`${url}/api/datasets/stripe/manifest.json`)).json(),
    );
    expect(manifest.rows).toBe(sandboxes.sandboxes.stripe.store.list('customers').length);
    const events = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'sync', source_name: 'stripe', status: 'success' }),
        expect.objectContaining({ event: 'publish', source: 'stripe', version: manifest.version }),
      ]),
    );
    // The key was used for the sync and is printed nowhere.
    expect(lines.join('\n')).not.toContain(sandboxes.sandboxes.credentials.stripe.api_key);
    expect(lines).toContain(
      `Published datasets (team data) are served at ${url}/api/datasets from ${published}.`,
    );
  });

  it('reads DINOBASE_SYNC strictly', () => {
    expect(serverSyncFromEnv({})).toBe(false);
    expect(serverSyncFromEnv({ DINOBASE_SYNC: 'off' })).toBe(false);
    expect(serverSyncFromEnv({ DINOBASE_SYNC: 'Server' })).toBe(true);
    expect(() => serverSyncFromEnv({ DINOBASE_SYNC: 'yes' })).toThrow(
      /DINOBASE_SYNC must be "server" or "off", got "yes"/,
    );
  });
});
