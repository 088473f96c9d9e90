// The production contracts carry only what the engine and the UI use: no benchmark hooks (bench/ brings its own).
import { describe, expect, it } from 'vitest';
import { createEngineService } from '../service.ts';
import { memoryDB } from '../testing.ts';
import { driverFromEnv, openWith, type DriverName } from './node.ts';

/** An object's public members: own properties and its classes' methods (private # fields are not members). */
function members(value: object): string[] {
  const names = new Set(Object.keys(value));
  for (let proto = Object.getPrototypeOf(value) as object | null; proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return [...names].sort();
}

/**
 * The driver DINOBASE_DRIVER names (each vitest project's); with DuckDB-WASM's async driver, its blocking one
 * too, so the blocking core (blocking.ts) is held to the same contract once per `npm test` without a project of
 * its own.
 */
const DRIVERS: DriverName[] = driverFromEnv() === 'wasm' ? ['wasm', 'blocking'] : [driverFromEnv()];

describe.each(DRIVERS)('production contracts on %s', (driver) => {
  const openDuckDB = openWith(driver);

  it('DuckDatabase has the members the engines use, and no timing hook', async () => {
    const database = await openDuckDB({ path: ':memory:' });
    try {
      // Native DuckDB's database is a class (methods on its prototype); it has no startup timings to give, and
      // no `broken` state: only DuckDB-WASM's memory can be corrupted for every later call.
      const required = [
        'close',
        'connect',
        'dropFile',
        'path',
        'persistent',
        'registerFile',
        'registerFileHandle',
        'version',
      ];
      const optional = ['startup', 'broken'];
      expect(members(database).filter((name) => !optional.includes(name))).toEqual(required.sort());
      expect(members(database).filter((name) => /raw|timing|bench/i.test(name))).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('queryBatches streams a result in order, the schema first, ENUM values intact', async () => {
    const database = await openDuckDB({ path: ':memory:' });
    try {
      const conn = await database.connect();
      const sizes: number[] = [];
      let sum = 0n;
      let names: string[] = [];
      await conn.queryBatches(
        "SELECT i, (CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END)::ENUM('a', 'b') AS e FROM range(10000) t(i)",
        {
          single: true,
          onBatch: (batch) => {
            if (sizes.length === 0) names = batch.schema.fields.map((f) => f.name);
            sizes.push(batch.numRows);
            for (const v of batch.getChild('i') ?? []) sum += v as bigint;
            if (batch.numRows > 0) expect(batch.getChild('e')?.get(1)).toBe('b');
          },
        },
      );
      expect(sizes[0]).toBe(0);
      expect(names).toEqual(['i', 'e']);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(10000);
      expect(sizes.length).toBeGreaterThan(2);
      expect(sum).toBe(49995000n);
      await conn.close();
    } finally {
      await database.close();
    }
  });
});

describe('production contracts', () => {
  it('EngineApi offers the UI no raw, unchecked path to DuckDB', () => {
    const service = createEngineService({ db: memoryDB() });
    expect(Object.keys(service)).not.toContain('rawQueryTiming');
    expect(Object.keys(service).filter((name) => /raw|timing|bench/i.test(name))).toEqual([]);
  });
});
