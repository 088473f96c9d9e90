// Query history records: newest first, de-duplicated, capped.
import { describe, expect, it } from 'vitest';
import { addEntry, memoryHistoryStore, type HistoryEntry } from './history.ts';

const entry = (id: string, sql: string): HistoryEntry => ({
  id,
  sql,
  at: 0,
  elapsedMs: 1,
  rows: 1,
  error: null,
});

describe('query history', () => {
  it('puts the newest first and moves a re-run query to the top', () => {
    let list: HistoryEntry[] = [];
    list = addEntry(list, entry('1', 'SELECT 1'));
    list = addEntry(list, entry('2', 'SELECT 2'));
    list = addEntry(list, entry('3', ' SELECT 1 '));
    expect(list.map((e) => e.id)).toEqual(['3', '2']);
  });

  it('keeps at most the limit', () => {
    let list: HistoryEntry[] = [];
    for (let i = 0; i < 10; i++) list = addEntry(list, entry(String(i), `SELECT ${i}`), 3);
    expect(list.map((e) => e.id)).toEqual(['9', '8', '7']);
  });

  it('stores entries in memory where IndexedDB is missing', async () => {
    const store = memoryHistoryStore();
    await store.add(entry('a', 'SELECT 1'));
    expect((await store.load()).map((e) => e.id)).toEqual(['a']);
    await store.clear();
    expect(await store.load()).toEqual([]);
  });
});
