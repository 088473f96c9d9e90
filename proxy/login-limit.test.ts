import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limit.ts';

function limiter(maxTracked?: number) {
  const clock = { t: 0 };
  const limits = new LoginLimiter({ now: () => clock.t, maxFailures: 2, windowMs: 10_000, maxTracked });
  return { clock, limits };
}

describe('LoginLimiter', () => {
  it('locks an address out after maxFailures within the window, for what is left of it', () => {
    const { clock, limits } = limiter();
    limits.failed('a');
    expect(limits.wait('a')).toBeNull();
    clock.t = 4_000;
    limits.failed('a');
    expect(limits.wait('a')).toBe(6);
    expect(limits.wait('b')).toBeNull();
    clock.t = 10_000;
    expect(limits.wait('a')).toBeNull();
    limits.failed('b');
    limits.succeeded('b');
    expect(limits.size).toBe(0);
  });

  it('forgets addresses whose window has ended, without being asked about them again', () => {
    const { clock, limits } = limiter();
    for (let i = 0; i < 100; i++) limits.failed(`198.51.100.${i}`);
    expect(limits.size).toBe(100);
    clock.t = 10_001;
    limits.failed('203.0.113.7');
    expect(limits.size).toBe(1);
  });

  it('keeps at most maxTracked addresses, dropping the oldest first', () => {
    const { clock, limits } = limiter(3);
    for (const address of ['a', 'b', 'c', 'd', 'e']) {
      limits.failed(address);
      limits.failed(address);
      clock.t += 1;
    }
    expect(limits.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((address) => limits.wait(address) !== null)).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);
  });
});
