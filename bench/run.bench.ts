// `npm run bench`: every benchmark in one run, printed as one table of ratios.
import { it } from 'vitest';
import { benchDrivers } from './drivers.ts';
import { benchMcp } from './mcp.ts';
import { benchNative } from './native.ts';
import { benchQueryPath } from './query-path.ts';
import { benchMutations } from './mutations.ts';
import { benchRelay } from './relay.ts';
import { benchColdStart, benchReopen } from './startup.ts';
import { printTable, type Row } from './stats.ts';
import { benchSync } from './sync.ts';

it('benchmarks', async () => {
  const rows: Row[] = [];
  rows.push(...(await benchQueryPath()));
  rows.push(...(await benchSync()));
  rows.push(...(await benchRelay()));
  rows.push(...(await benchMcp()));
  rows.push(...(await benchMutations()));
  rows.push(...(await benchDrivers()));
  rows.push(...(await benchNative()));
  rows.push(...(await benchColdStart()));
  rows.push(...(await benchReopen()));
  printTable(rows);
});
