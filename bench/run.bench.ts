// `npm run bench [-- --only ID[,ID]]`: the benchmarks in one run, printed as one table of ratios (ids as issue 13 names them).
import { it } from 'vitest';
import { benchBounded } from './bounded.ts';
import { benchDrivers } from './drivers.ts';
import { benchExport } from './export.ts';
import { benchMcp } from './mcp.ts';
import { benchNative } from './native.ts';
import { benchPublish } from './publish.ts';
import { benchQueryPath } from './query-path.ts';
import { benchMutations } from './mutations.ts';
import { benchRelay } from './relay.ts';
import { benchColdStart, benchReopen } from './startup.ts';
import { printTable, type Row } from './stats.ts';
import { benchSync } from './sync.ts';
import { benchBigSync, benchSyncChromium } from './sync-chromium.ts';
import { benchTeamCalls } from './team-calls.ts';
import { benchTeamPull } from './team-chromium.ts';

/** Each group of rows under the id `--only` picks it by. */
const GROUPS: { id: string; run: () => Promise<Row[]> }[] = [
  { id: 'P1', run: benchQueryPath },
  // The Node rows (issue 11), then the product's own path in Chromium (issue 13).
  { id: 'P2', run: async () => [...(await benchSync()), ...(await benchSyncChromium())] },
  { id: 'P9', run: benchRelay },
  { id: 'P7', run: benchBounded },
  { id: 'MCP', run: benchMcp },
  { id: 'MUT', run: benchMutations },
  { id: 'DRV', run: benchDrivers },
  { id: 'ENG', run: benchNative },
  { id: 'EXP', run: benchExport },
  { id: 'P3', run: benchColdStart },
  { id: 'P4', run: benchReopen },
  { id: 'P8', run: benchBigSync },
  { id: 'PUB', run: benchPublish },
  { id: 'TEAM', run: benchTeamPull },
  { id: 'CALLS', run: benchTeamCalls },
];

it('benchmarks', async () => {
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const unknown = only.filter((id) => !GROUPS.some((g) => g.id === id));
  if (unknown.length > 0)
    throw new Error(
      `Unknown benchmark id ${unknown.join(', ')}; known: ${GROUPS.map((g) => g.id).join(', ')}.`,
    );
  const rows: Row[] = [];
  for (const group of GROUPS) {
    if (only.length > 0 && !only.includes(group.id)) continue;
    for (const row of await group.run()) rows.push({ ...row, id: group.id });
  }
  printTable(rows);
});
