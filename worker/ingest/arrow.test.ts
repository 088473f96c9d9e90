import { describe, expect, it } from 'vitest';
import { buildVector, toBigInt } from './arrow.ts';

describe('BIGINT values', () => {
  it('reads integer text exactly, beyond 2^53 too', () => {
    expect(toBigInt('12345678901234567890')).toBe(12345678901234567890n);
    expect(toBigInt(' -9007199254740993 ')).toBe(-9007199254740993n);
    expect(toBigInt(42)).toBe(42n);
    expect(toBigInt(2.9)).toBe(2n);
    expect(toBigInt('2.5')).toBe(2n);
    expect(toBigInt(true)).toBe(1n);
    expect(toBigInt('twelve')).toBeNull();
    expect(toBigInt(null)).toBeNull();
  });

  it('builds an Int64 column without rounding, and NULL for what does not fit in 64 bits', () => {
    const vector = buildVector(['9007199254740993', 7, '12345678901234567890', null], 'BIGINT');
    expect([...vector]).toEqual([9007199254740993n, 7n, null, null]);
  });
});
