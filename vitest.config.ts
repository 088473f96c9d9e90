// Unit and cross-layer suites on Node: real DuckDB (WASM and native, as a matrix) and real Hono servers on loopback.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const ALL = [
  'common/**/*.test.ts',
  'worker/**/*.test.ts',
  'proxy/**/*.test.ts',
  'node/**/*.test.ts',
  'web/**/*.test.ts',
  'test/*.test.ts',
];

/**
 * The engine suites: everything that runs DinobaseDB and its engines on DuckDB. They run once more on native
 * DuckDB, so parity between the drivers is tested, not assumed. Left out: parity.test.ts and native.test.ts,
 * which open the drivers they test by name whatever DINOBASE_DRIVER says.
 */
const ENGINE = [
  'worker/db.test.ts',
  'worker/storage.test.ts',
  'worker/service.test.ts',
  'worker/tab-engine.test.ts',
  'worker/values.test.ts',
  'worker/duckdb/contract.test.ts',
  'worker/duckdb/extensions.test.ts',
  'worker/duckdb/network.test.ts',
  'worker/query/**/*.test.ts',
  'worker/mutations/**/*.test.ts',
  'worker/sync/**/*.test.ts',
  'worker/ingest/**/*.test.ts',
  'worker/meta/**/*.test.ts',
  'worker/export/**/*.test.ts',
  'worker/files/**/*.test.ts',
  'worker/team/**/*.test.ts',
  'worker/sample/load.test.ts',
  'worker/connectors/notes.test.ts',
  'test/sync-*.test.ts',
  'test/writeback-*.test.ts',
  'test/relay-sync.test.ts',
  'test/team-*.test.ts',
];

// Servers started by tests keep credentials here, never in the developer's ~/.dinobase.
const home = mkdtempSync(join(tmpdir(), 'dinobase-test-home-'));

function project(name: string, driver: string, include: string[]): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      env: { DINOBASE_HOME: home, DINOBASE_DRIVER: driver },
      include,
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
    },
  };
}

/**
 * `npx vitest run` runs every suite on DuckDB-WASM (the browser's engine) and the engine suites again on native
 * DuckDB (`--project wasm` or `--project native` picks one). DINOBASE_DRIVER set by the caller runs everything
 * once, on that driver.
 */
const chosen = process.env.DINOBASE_DRIVER;

export default defineConfig({
  test: {
    projects: chosen
      ? [project(chosen, chosen, ALL)]
      : [project('wasm', 'wasm', ALL), project('native', 'native', ENGINE)],
  },
});
