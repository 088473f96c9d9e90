// isRecord: the one guard for "a JSON object", which the engine's write-back and the sandboxes both read answers with.
import { describe, expect, it } from 'vitest';
import { isRecord } from './json.ts';

describe('isRecord', () => {
  it('accepts plain objects only', () => {
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord({})).toBe(true);
    for (const v of [null, undefined, [], [1], 'x', 1, true]) expect(isRecord(v)).toBe(false);
  });
});
