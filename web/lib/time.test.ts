import { describe, expect, it } from 'vitest';
import { bytes, elapsed, relative } from './time.ts';

describe('time and size text', () => {
  it('renders sync durations', () => {
    expect(elapsed(850)).toBe('850 ms');
    expect(elapsed(4240)).toBe('4.2 s');
    expect(elapsed(190_000)).toBe('3m 10s');
  });

  it('says when something is due relative to now', () => {
    const now = Date.UTC(2026, 5, 1, 12);
    expect(relative(new Date(now + 4200).toISOString(), now)).toBe('in 5s');
    expect(relative(new Date(now + 120_000).toISOString(), now)).toBe('in 2m');
    expect(relative(new Date(now - 500).toISOString(), now)).toBe('now');
    expect(relative(new Date(now - 300_000).toISOString(), now)).toBe('5m ago');
  });

  it('renders sizes in binary units', () => {
    expect(bytes(512)).toBe('512 bytes');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(12 * 1024 * 1024)).toBe('12 MiB');
    expect(bytes(3.25 * 1024 ** 3)).toBe('3.3 GiB');
  });
});
