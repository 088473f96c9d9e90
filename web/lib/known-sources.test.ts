// The server's source list as last seen: saved on every answer, served while the server cannot be reached.
import { describe, expect, it } from 'vitest';
import { DinobaseError } from '../../worker/errors.ts';
import { listKnownSources, type KnownSourcesStore } from './known-sources.ts';
import type { SourceSummary } from './proxy.ts';

const stripe: SourceSummary = {
  name: 'stripe',
  type: 'stripe',
  base_url: 'http://127.0.0.1:8787/sandbox/stripe/',
  sandbox: true,
  credentials_set: true,
  missing: [],
  settings: {},
  origin: 'sandbox',
  env_overrides: [],
};

function memoryStore(): KnownSourcesStore & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    get: async (key) => values.get(key),
    set: async (key, value) => void values.set(key, value),
  };
}

const unreachable = () =>
  Promise.reject(new DinobaseError('network_error', 'The Dinobase server is unreachable (Failed to fetch).'));
const now = () => new Date('2026-12-01T10:00:00Z');

describe('listKnownSources', () => {
  it('returns what the server answers, and keeps it', async () => {
    const store = memoryStore();
    const known = await listKnownSources({ list: async () => [stripe], store, now });
    expect(known).toEqual({ sources: [stripe], offline: false, savedAt: '2026-12-01T10:00:00.000Z' });
    expect(store.values.size).toBe(1);
  });

  it('serves the last list while the server cannot be reached, and says so', async () => {
    const store = memoryStore();
    await listKnownSources({ list: async () => [stripe], store, now });
    let reported = 0;
    const known = await listKnownSources({ list: unreachable, store, onUnreachable: () => reported++ });
    expect(known).toEqual({ sources: [stripe], offline: true, savedAt: '2026-12-01T10:00:00.000Z' });
    expect(reported).toBe(1);
  });

  it('is an empty, offline list when the server never answered in this browser', async () => {
    const known = await listKnownSources({ list: unreachable, store: memoryStore() });
    expect(known).toEqual({ sources: [], offline: true, savedAt: null });
  });

  it('ignores a stored value of another shape', async () => {
    const store = memoryStore();
    store.values.set('dinobase:server-sources', { sources: 'nope' });
    const known = await listKnownSources({ list: unreachable, store });
    expect(known).toEqual({ sources: [], offline: true, savedAt: null });
  });

  it('passes on an answer that is an error: the server is there and said no', async () => {
    const store = memoryStore();
    await listKnownSources({ list: async () => [stripe], store, now });
    const refused = () => Promise.reject(new Error('The server answered 500 for /api/sources.'));
    await expect(listKnownSources({ list: refused, store })).rejects.toThrow('answered 500');
  });

  it('still answers when the browser cannot store anything (private mode)', async () => {
    const broken: KnownSourcesStore = {
      get: () => Promise.reject(new Error('IndexedDB is unavailable')),
      set: () => Promise.reject(new Error('IndexedDB is unavailable')),
    };
    expect((await listKnownSources({ list: async () => [stripe], store: broken })).sources).toEqual([stripe]);
    expect(await listKnownSources({ list: unreachable, store: broken })).toMatchObject({
      sources: [],
      offline: true,
    });
  });
});
