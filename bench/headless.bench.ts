// `BENCH_FILE=bench/headless.bench.ts npx vitest run --config bench/vitest.config.ts`: only the headless (Node) rows.
import { it } from 'vitest';
import { benchDrivers } from './drivers.ts';
import { benchNative } from './native.ts';
import { printTable } from './stats.ts';
import { benchSync } from './sync.ts';

it('headless benchmarks', async () => {
  printTable([...(await benchDrivers()), ...(await benchNative()), ...(await benchSync())]);
});
