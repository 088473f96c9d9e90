// The production contracts carry only what the engine and the UI use: no benchmark hooks (bench/ brings its own).
import { describe, expect, it } from 'vitest';
import { createEngineService } from '../service.ts';
import { memoryDB } from '../testing.ts';
import { openDuckDB } from './index.ts';

describe('production contracts', () => {
  it('DuckDatabase has the members the engines use, and no timing hook', async () => {
    const database = await openDuckDB({ path: ':memory:' });
    try {
      expect(Object.keys(database).sort()).toEqual(
        [
          'broken',
          'close',
          'connect',
          'dropFile',
          'path',
          'persistent',
          'registerFile',
          'startup',
          'version',
        ].sort(),
      );
    } finally {
      await database.close();
    }
  });

  it('EngineApi offers the UI no raw, unchecked path to DuckDB', () => {
    const service = createEngineService({ db: memoryDB() });
    expect(Object.keys(service)).not.toContain('rawQueryTiming');
    expect(Object.keys(service).filter((name) => /raw|timing|bench/i.test(name))).toEqual([]);
  });
});
