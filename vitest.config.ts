// Unit and cross-layer suites on Node: real DuckDB-WASM (async bundle) and real Hono servers on loopback.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['worker/**/*.test.ts', 'proxy/**/*.test.ts', 'web/**/*.test.ts', 'test/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
