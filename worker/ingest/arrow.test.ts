import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { yieldToEventLoop } from '../../common/event-loop.ts';
import { buildArrowTable, buildArrowTableInSlices, buildVector, toBigInt } from './arrow.ts';
import { Normalizer } from './normalize.ts';

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

/** A table's rows as JSON text (BIGINTs as decimal text). */
const plain = (table: Table) =>
  JSON.stringify(table.toArray(), (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

describe('building in slices', () => {
  it('gives the table the one-shot build gives, letting other tasks run between its columns', async () => {
    const normalizer = new Normalizer({ table: 't', primaryKey: ['id'] });
    normalizer.add([
      { id: 'a', n: 1, ok: true, tags: ['x'], at: '2024-01-02T03:04:05.123456Z' },
      { id: 'b', n: '9007199254740993', ok: null, tags: [] },
    ]);
    const table = normalizer.tables.get('t')!;
    const columns = new Map(table.columns);
    let done = false;
    const sliced = buildArrowTableInSlices(table, columns).finally(() => (done = true));
    let turns = 0;
    while (!done) {
      await yieldToEventLoop();
      turns += 1;
    }
    expect(turns).toBeGreaterThanOrEqual(columns.size - 1);
    const once = buildArrowTable(table, columns);
    expect(plain(once)).toContain('"n":"9007199254740993"');
    expect(plain(await sliced)).toBe(plain(once));
    expect(String((await sliced).schema)).toBe(String(once.schema));
  });
});
