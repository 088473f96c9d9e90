// The stale-preview comparisons: values across API and DuckDB shapes, and the update/delete verdicts.
import { describe, expect, it } from 'vitest';
import { judgeDelete, judgeUpdate, sameValue } from './compare.ts';
import type { PlannedRow } from './types.ts';

const row = (before: PlannedRow['before'], after: PlannedRow['after']): PlannedRow => ({
  index: 0,
  id: 'x',
  key: { id: 'x' },
  scope: {},
  before,
  after,
});

describe('sameValue', () => {
  it.each([
    [42, '42', true],
    ['42', 42.0, true],
    [42, '42.5', false],
    ['0123', '123', false],
    [true, 'true', true],
    [false, 'TRUE', false],
    [null, '', true],
    [null, undefined, true],
    [null, 0, false],
    ['2026-06-01T09:00:00.000Z', '2026-06-01 09:00:00', true],
    ['2026-06-01T09:00:00Z', '2026-06-01 09:00:00.000001', false],
    // Stripe's unix seconds against a TIMESTAMP column, and HubSpot-style epoch milliseconds.
    [1780304400, '2026-06-01 09:00:00', true],
    [1780304400000, '2026-06-01T09:00:00Z', true],
    [1780304400, 1780304401, false],
    [{ b: 1, a: [1, 2] }, { a: [1, 2], b: 1 }, true],
    [['en'], ['fr'], false],
    ['Acme', 'Acme', true],
    ['Acme', 'acme', false],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(sameValue(a, b)).toBe(expected);
    expect(sameValue(b, a)).toBe(expected);
  });
});

describe('judgeUpdate', () => {
  const planned = row({ name: 'Old', balance: 0 }, { name: 'New', balance: 500 });

  it('writes when the live record still holds the previewed values', () => {
    expect(judgeUpdate(['name', 'balance'], planned, { name: 'Old', balance: '0' })).toEqual({
      kind: 'write',
    });
  });

  it('is already applied when every SET column holds its new value', () => {
    expect(judgeUpdate(['name', 'balance'], planned, { name: 'New', balance: 500 })).toEqual({
      kind: 'applied',
    });
  });

  it('writes when some columns are new and the rest previewed (converges, never clobbers)', () => {
    expect(judgeUpdate(['name', 'balance'], planned, { name: 'New', balance: 0 })).toEqual({ kind: 'write' });
  });

  it('names the first column that holds neither', () => {
    expect(judgeUpdate(['name', 'balance'], planned, { name: 'Theirs', balance: 0 })).toEqual({
      kind: 'changed',
      column: 'name',
      previewed: 'Old',
      live: 'Theirs',
    });
  });

  it('leaves out columns the API did not send, and writes when none could be compared', () => {
    expect(judgeUpdate(['name', 'balance'], planned, { balance: 500 })).toEqual({ kind: 'applied' });
    expect(judgeUpdate(['name', 'balance'], planned, { email: 'x' })).toEqual({ kind: 'write' });
  });
});

describe('judgeDelete', () => {
  it('compares only the version column', () => {
    const planned = row({ id: 'x', name: 'A', updated_at: '2026-06-01 09:00:00' }, null);
    expect(judgeDelete(planned, { id: 'x', name: 'B', updated_at: '2026-06-01T09:00:00Z' })).toEqual({
      kind: 'write',
    });
    expect(judgeDelete(planned, { id: 'x', updated_at: '2026-06-02T09:00:00Z' })).toMatchObject({
      kind: 'changed',
      column: 'updated_at',
    });
    expect(judgeDelete(row({ id: 'x', name: 'A' }, null), { id: 'x', name: 'B' })).toEqual({ kind: 'write' });
  });
});
