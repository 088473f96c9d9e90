// Unit and cross-layer suites on Node: real DuckDB-WASM (async bundle) and real Hono servers on loopback.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Servers started by tests keep credentials here, never in the developer's ~/.dinobase.
    env: { DINOBASE_HOME: mkdtempSync(join(tmpdir(), 'dinobase-test-home-')) },
    include: [
      'common/**/*.test.ts',
      'worker/**/*.test.ts',
      'proxy/**/*.test.ts',
      'web/**/*.test.ts',
      'test/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
