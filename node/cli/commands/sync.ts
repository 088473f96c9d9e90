// sync and refresh: run a source's connector now (with a progress bar on a terminal), or on a schedule until stopped.
import type { StoredSource } from '../../../worker/meta/sources.ts';
import { loadFreshness } from '../../../worker/query/freshness.ts';
import type { SyncResult } from '../../../worker/sync/engine.ts';
import { planResources } from '../../../worker/sync/plan.ts';
import { SyncEngine, SyncScheduler } from '../../headless.ts';
import { intOption, listOption, stringOption, UsageError, type Command, type Values } from '../args.ts';
import type { Context } from '../context.ts';
import { ProgressBar, table } from '../output.ts';

/** The named source, or every registered one; an unknown name is an error naming the registered ones. */
async function sourcesFor(ctx: Context, name: string | undefined): Promise<StoredSource[] | string> {
  const all = await ctx.db.getSources();
  if (name === undefined) {
    return all.length > 0 ? all : 'No sources registered. Add one with: dinobase add <type>';
  }
  const source = all.find((s) => s.name === name);
  if (source) return [source];
  const known = all.map((s) => s.name).join(', ') || 'none';
  return `Unknown source '${name}'. Registered: ${known}. Add it with: dinobase add <type> --name ${name}`;
}

async function syncOne(ctx: Context, engine: SyncEngine, source: StoredSource, resources?: string[]) {
  const wanted = resources ?? source.resources;
  let total = 1;
  try {
    total = planResources(engine.connectors.get(source.type), wanted).length;
  } catch {
    // The sync itself reports an unknown type or resource; the bar only needs a guess.
  }
  const bar = ProgressBar.enabled(ctx.io.stderr) ? new ProgressBar(ctx.io.stderr, total) : null;
  try {
    return await engine.sync(
      source.name,
      { type: source.type, base_url: source.base_url, resources: wanted },
      { onProgress: bar ? (p) => bar.update(p) : undefined },
    );
  } finally {
    bar?.finish();
  }
}

function summaryLines(results: SyncResult[]): string {
  const lines = results.map((r) =>
    r.status === 'success'
      ? `  ${r.source_name}: synced ${r.tables_synced} tables (${r.rows_synced} rows)`
      : `  ${r.source_name}: ${r.status}${r.error ? `: ${r.error}` : ''}`,
  );
  const tables = results.reduce((n, r) => n + r.tables_synced, 0);
  const rows = results.reduce((n, r) => n + r.rows_synced, 0);
  return [...lines, `Done. ${tables} tables, ${rows} rows total.`].join('\n');
}

async function schedule(ctx: Context, values: Values): Promise<number> {
  const engine = new SyncEngine(ctx.db, { store: ctx.store });
  const printing = {
    sync: async (...args: Parameters<SyncEngine['sync']>) => {
      const result = await engine.sync(...args);
      const { resources: _r, ...line } = result;
      // One JSON object per line, so a log collector can follow it.
      ctx.io.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`);
      return result;
    },
  };
  const scheduler = new SyncScheduler(ctx.db, {
    defaultInterval: stringOption(values, 'interval') ?? '1h',
    maxWorkers: intOption(values, 'max-workers', 10),
    engine: printing,
  });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await ctx.warn(
    `Syncing due sources every ${scheduler.defaultIntervalSeconds}s by default (their own sync_interval wins); Ctrl+C stops.`,
  );
  try {
    await scheduler.runLoop({ signal: stop.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}

export const sync: Command = {
  name: 'sync',
  summary: 'Sync one source or all of them now, or keep syncing them on a schedule.',
  usage: 'sync [name] [--resources a,b] [--schedule [--interval 1h] [--max-workers N]]',
  options: {
    resources: { type: 'string' },
    schedule: { type: 'boolean' },
    interval: { type: 'string' },
    'max-workers': { type: 'string' },
  },
  help: [
    { flag: '--resources a,b', text: 'only these resources this time' },
    { flag: '--schedule', text: 'stay running; sync each source when due (one JSON line per sync)' },
    { flag: '--interval 1h', text: 'with --schedule: interval of sources without their own' },
    { flag: '--max-workers N', text: 'with --schedule: syncs at once (default 10)' },
  ],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals, values }) {
    if (values.schedule) {
      if (positionals[0] || values.resources) {
        throw new UsageError(
          '--schedule syncs every registered source; drop the name and --resources.',
          sync,
        );
      }
      return schedule(ctx, values);
    }
    if (values.interval || values['max-workers']) {
      throw new UsageError('--interval and --max-workers go with --schedule.', sync);
    }
    const sources = await sourcesFor(ctx, positionals[0]);
    if (typeof sources === 'string') {
      await ctx.warn(`Error: ${sources}`);
      return 1;
    }
    const engine = new SyncEngine(ctx.db, { store: ctx.store });
    const results: SyncResult[] = [];
    for (const source of sources)
      results.push(await syncOne(ctx, engine, source, listOption(values, 'resources')));
    await ctx.emit(results, summaryLines(results));
    const failed = results.filter((r) => r.status === 'error');
    for (const r of failed) await ctx.warn(`Error: ${r.source_name}: ${r.error}`);
    return failed.length > 0 ? 1 : 0;
  },
};

export const refresh: Command = {
  name: 'refresh',
  summary: 'Re-sync a source, every source, or with --stale only the stale ones.',
  usage: 'refresh [name] [--stale]',
  options: { stale: { type: 'boolean' } },
  help: [{ flag: '--stale', text: 'only sources older than their freshness threshold' }],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals, values }) {
    const found = await sourcesFor(ctx, positionals[0]);
    if (typeof found === 'string') {
      await ctx.warn(`Error: ${found}`);
      return 1;
    }
    let sources = found;
    if (values.stale) {
      const freshness = await loadFreshness(ctx.db);
      sources = sources.filter((s) => freshness.get(s.name)?.is_stale ?? true);
      if (sources.length === 0) {
        await ctx.emit({ status: 'all_fresh' }, 'Every source is fresh.');
        return 0;
      }
    }
    const engine = new SyncEngine(ctx.db, { store: ctx.store });
    const results = [];
    for (const source of sources) {
      const r = await syncOne(ctx, engine, source);
      const f = (await loadFreshness(ctx.db)).get(source.name);
      results.push({
        source: r.source_name,
        status: r.status,
        tables_synced: r.tables_synced,
        rows_synced: r.rows_synced,
        error: r.error,
        freshness: f ? { last_sync: f.last_sync, age: f.age, is_stale: f.is_stale } : null,
      });
    }
    await ctx.emit(results, table(results.map((r) => ({ ...r, freshness: r.freshness?.age ?? null }))));
    return results.some((r) => r.status === 'error') ? 1 : 0;
  },
};
