// `npm run bench` runs the benchmarks through Vitest so connector specs load exactly as in the app (import.meta.glob).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Servers started by tests keep credentials here, never in the developer's ~/.dinobase.
    env: { DINOBASE_HOME: mkdtempSync(join(tmpdir(), 'dinobase-test-home-')) },
    include: [process.env.BENCH_FILE ?? 'bench/run.bench.ts'],
    environment: 'node',
    testTimeout: 900_000,
    hookTimeout: 120_000,
    reporters: ['dot'],
  },
});
