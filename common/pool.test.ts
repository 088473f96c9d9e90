import { describe, expect, it } from 'vitest';
import { forEachLimit } from './pool.ts';

/** A promise the test settles by hand, to hold a task open at a known point. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('forEachLimit', () => {
  it('runs every item, never more than the limit at once', async () => {
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const done = forEachLimit(gates, 2, async (g, index) => {
      started.push(index);
      peak = Math.max(peak, ++running);
      await g.opened;
      running--;
    });
    await expect.poll(() => started).toEqual([0, 1]);
    gates[1]!.open();
    await expect.poll(() => started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await done;
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('starts nothing after a failure and rejects once the running items have settled', async () => {
    const slow = gate();
    const started: number[] = [];
    let slowSettled = false;
    const done = forEachLimit([0, 1, 2, 3], 2, async (item) => {
      started.push(item);
      if (item === 0) {
        await slow.opened;
        slowSettled = true;
      }
      if (item === 1) throw new Error('part 2 failed');
    });
    const outcome = done.then(
      () => 'resolved',
      (error: Error) => `${error.message}; slow settled: ${slowSettled}`,
    );
    await expect.poll(() => started).toEqual([0, 1]);
    slow.open();
    expect(await outcome).toBe('part 2 failed; slow settled: true');
    expect(started).toEqual([0, 1]);
  });

  it('resolves at once for an empty list', async () => {
    await expect(forEachLimit([], 4, () => Promise.reject(new Error('never')))).resolves.toBeUndefined();
  });
});
