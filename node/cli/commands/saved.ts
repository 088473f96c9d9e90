// save and saved: the saved-query library (`_dinobase.saved_queries`) from the shell; `query --saved` runs one.
import {
  deleteSaved,
  duplicateSaved,
  getSaved,
  listSaved,
  renameSaved,
  saveQuery,
  type SavedQuery,
} from '../../../worker/meta/saved.ts';
import { stringOption, UsageError, type Command } from '../args.ts';
import type { Context } from '../context.ts';
import { pretty, table } from '../output.ts';

/** One line of SQL for a table cell. */
function oneLine(sql: string, max = 60): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function listText(queries: SavedQuery[]): string {
  if (queries.length === 0) return '(no saved queries)';
  return table(
    queries.map((q) => ({
      name: q.name,
      sql: oneLine(q.sql),
      description: q.description ?? '',
      updated_at: q.updated_at,
    })),
  );
}

async function show(ctx: Context, value: SavedQuery): Promise<number> {
  const { sql, ...rest } = value;
  await ctx.emit(value, `${pretty(rest)}\n\n${sql}`);
  return 0;
}

export const save: Command = {
  name: 'save',
  summary: 'Save SQL under a name (the app, the CLI and agents share saved queries).',
  usage: 'save NAME "<sql>" [--description TEXT] [--overwrite]',
  options: { description: { type: 'string' }, overwrite: { type: 'boolean' } },
  help: [
    { flag: '--description TEXT', text: 'a note on what the query answers' },
    { flag: '--overwrite', text: 'replace a saved query of the same name (otherwise that is an error)' },
  ],
  notes: [
    'Examples:',
    `  dinobase save "Revenue by month" "SELECT date_trunc('month', to_timestamp(created)) AS m, sum(amount) FROM stripe.charges GROUP BY 1"`,
    '  dinobase query --saved "Revenue by month"',
  ],
  positionals: { min: 2, max: 2 },
  async run(ctx, { positionals, values }) {
    const saved = await saveQuery(ctx.db, {
      name: positionals[0]!,
      sql: positionals[1]!,
      description: stringOption(values, 'description'),
      overwrite: values.overwrite === true,
    });
    return show(ctx, saved);
  },
};

const ACTIONS: Record<string, number> = { show: 1, rm: 1, duplicate: 1, rename: 2 };

export const saved: Command = {
  name: 'saved',
  summary: 'List saved queries (--search), or show, rename, duplicate or remove one.',
  usage:
    'saved [--search TEXT] | saved show NAME | saved rename NAME NEW_NAME | saved duplicate NAME | saved rm NAME',
  options: { search: { type: 'string' } },
  help: [{ flag: '--search TEXT', text: 'only those whose name or SQL contains TEXT (any case)' }],
  notes: [
    'Examples:',
    '  dinobase saved --search revenue --pretty',
    '  dinobase saved rename "Revenue by month" "Monthly revenue"',
    '  dinobase saved rm "Monthly revenue"',
  ],
  positionals: { min: 0, max: 3 },
  async run(ctx, { positionals, values }) {
    const [action, ...names] = positionals;
    if (action === undefined) {
      const queries = await listSaved(ctx.db, { search: stringOption(values, 'search') });
      await ctx.emit(queries, listText(queries));
      return 0;
    }
    if (!(action in ACTIONS) || names.length !== ACTIONS[action]) {
      throw new UsageError(
        action in ACTIONS
          ? `dinobase saved ${action}: expected ${ACTIONS[action]} name${ACTIONS[action] === 1 ? '' : 's'}.`
          : `dinobase saved: unknown action '${action}' (show, rename, duplicate, rm).`,
        saved,
      );
    }
    const [name, to] = names as [string, string | undefined];
    switch (action) {
      case 'show':
        return show(ctx, await getSaved(ctx.db, name));
      case 'duplicate':
        return show(ctx, await duplicateSaved(ctx.db, { name }));
      case 'rename':
        return show(ctx, await renameSaved(ctx.db, { from: name, to: to! }));
      default: {
        const deleted = await deleteSaved(ctx.db, { name });
        await ctx.emit({ deleted: deleted.name }, `Deleted saved query '${deleted.name}'.`);
        return 0;
      }
    }
  },
};
