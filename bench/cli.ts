// `npm run bench -- --only P3[,P9]`: runs the benchmark table through Vitest, optionally only some groups.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const at = args.findIndex((a) => a === '--only' || a.startsWith('--only='));
let only = process.env.BENCH_ONLY ?? '';
if (at >= 0) {
  const value = args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
  if (!value) {
    console.error('--only needs a list of benchmark ids, e.g. --only P3,P9');
    process.exit(2);
  }
  only = value;
  args.splice(at, args[at]!.includes('=') ? 1 : 2);
}
const result = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--config', 'bench/vitest.config.ts', ...args],
  { stdio: 'inherit', env: { ...process.env, BENCH_ONLY: only } },
);
process.exit(result.status ?? 1);
