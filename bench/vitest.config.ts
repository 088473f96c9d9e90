// `npm run bench` runs the benchmarks through Vitest so connector specs load exactly as in the app (import.meta.glob).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    env: {
      // Servers started by tests keep credentials here, never in the developer's ~/.dinobase.
      DINOBASE_HOME: mkdtempSync(join(tmpdir(), 'dinobase-test-home-')),
      // The Node benchmarks measure the browser's engine (DuckDB-WASM) unless DINOBASE_DRIVER says otherwise.
      DINOBASE_DRIVER: process.env.DINOBASE_DRIVER ?? 'wasm',
    },
    include: [process.env.BENCH_FILE ?? 'bench/run.bench.ts'],
    environment: 'node',
    // The whole table is one test: P8's 1M-customer sync alone takes ~8 minutes on a busy 2-core machine.
    testTimeout: 3 * 60 * 60_000,
    hookTimeout: 120_000,
    reporters: ['dot'],
  },
});
