import { describe, expect, it } from 'vitest';
import { hashOf, parseHash } from './routes.ts';

describe('hash routes', () => {
  it.each([
    ['', { page: 'query' }],
    ['#/', { page: 'query' }],
    ['#/sources', { page: 'sources' }],
    ['#/sources/', { page: 'sources' }],
    ['#/sources/stripe_live', { page: 'sources', source: 'stripe_live' }],
    ['#/sources/new', { page: 'sources', add: true }],
    ['#/mutations', { page: 'mutations' }],
    ['#settings', { page: 'settings' }],
    ['#/agents', { page: 'agents' }],
    ['#/nope', { page: 'query' }],
  ])('%s → %o', (hash, route) => expect(parseHash(hash)).toEqual(route));

  it('round-trips every route', () => {
    for (const hash of [
      '#/',
      '#/sources',
      '#/sources/new',
      '#/sources/a%20b',
      '#/mutations',
      '#/agents',
      '#/settings',
    ]) {
      expect(hashOf(parseHash(hash))).toBe(hash);
    }
  });
});
