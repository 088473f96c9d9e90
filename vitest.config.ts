// Unit and cross-layer suites on Node: real DuckDB (WASM by default, or native) and real Hono servers on loopback.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    env: {
      // Servers started by tests keep credentials here, never in the developer's ~/.dinobase.
      DINOBASE_HOME: mkdtempSync(join(tmpdir(), 'dinobase-test-home-')),
      // The engine suites run on the browser's DuckDB-WASM unless DINOBASE_DRIVER=native asks for native DuckDB.
      DINOBASE_DRIVER: process.env.DINOBASE_DRIVER ?? 'wasm',
    },
    include: [
      'common/**/*.test.ts',
      'worker/**/*.test.ts',
      'proxy/**/*.test.ts',
      'node/**/*.test.ts',
      'web/**/*.test.ts',
      'test/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
