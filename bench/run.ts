// `npm run bench`: runs every benchmark in one process and prints one table of ratios.
import { benchNative } from './native.ts';
import { benchQueryPath } from './query-path.ts';
import { printTable, type Row } from './stats.ts';

const rows: Row[] = [];
console.log('Running benchmarks (each compares two paths within one run)…');
rows.push(...(await benchQueryPath()));
rows.push(...(await benchNative()));
printTable(rows);
