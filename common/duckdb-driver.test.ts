// The `?duckdb=` switch: only the exact opt-in picks the blocking driver; anything else a URL carries keeps the default.
import { describe, expect, it } from 'vitest';
import { driverFromSearch, driverOfWorker, engineWorkerName } from './duckdb-driver.ts';

describe('the DuckDB driver switch', () => {
  it('opts in with ?duckdb=blocking, and round-trips through the worker name', () => {
    expect(driverFromSearch('?duckdb=blocking')).toBe('blocking');
    expect(driverFromSearch('?x=1&duckdb=blocking')).toBe('blocking');
    for (const driver of ['async', 'blocking'] as const) {
      expect(driverOfWorker(engineWorkerName(driver))).toBe(driver);
    }
  });

  it('keeps the default for every other value, and for no value', () => {
    for (const search of [
      '',
      '?',
      '?duckdb',
      '?duckdb=',
      '?duckdb=BLOCKING',
      '?duckdb=blocking%00',
      '?duckdb=native',
      '?duckdb=%E0%A4%A',
      '?duckdb=async',
    ]) {
      expect(driverFromSearch(search)).toBe('async');
    }
    expect(driverOfWorker('')).toBe('async');
    expect(driverOfWorker('some other worker')).toBe('async');
  });
});
