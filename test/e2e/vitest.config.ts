// e2e suites: the built app served by the real Hono server, driven in Debian's Chromium via playwright-core.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Servers started by tests keep credentials here, never in the developer's ~/.dinobase.
    env: { DINOBASE_HOME: mkdtempSync(join(tmpdir(), 'dinobase-test-home-')) },
    include: ['test/e2e/**/*.e2e.ts'],
    setupFiles: ['test/e2e/setup.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // A page on a busy 2-core machine can take seconds to catch up: polls wait for state, not for 1 s.
    expect: { poll: { timeout: 10_000 } },
  },
});
