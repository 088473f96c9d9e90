// `npm run bench` runs the benchmarks through Vitest so connector specs load exactly as in the app (import.meta.glob).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/run.bench.ts'],
    environment: 'node',
    testTimeout: 900_000,
    hookTimeout: 120_000,
    reporters: ['dot'],
  },
});
