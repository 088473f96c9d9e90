// query, describe, confirm and cancel: reads, table descriptions and the two answers to a mutation preview.
import {
  isErrorResult,
  isMutationResponse,
  isScriptPreview,
  type MutationResponse,
  type StatementOutcome,
} from '../../../worker/query/engine.ts';
import { MutationEngine, QueryEngine } from '../../headless.ts';
import { getSaved } from '../../../worker/meta/saved.ts';
import { intOption, stringOption, UsageError, type Command } from '../args.ts';
import type { Context } from '../context.ts';
import { outcomeTable, pretty, table } from '../output.ts';

/** An engine error object goes to stderr and exits 1; anything else is the result. */
async function finish(ctx: Context, result: unknown, prettyText?: string): Promise<number> {
  if (isErrorResult(result)) {
    await ctx.warn(`Error: ${result.error}`);
    return 1;
  }
  await ctx.emit(result, prettyText);
  return 0;
}

/** How a person confirms or cancels what a query previewed. */
function nextSteps(preview: MutationResponse): string {
  const ids = 'batch_id' in preview ? preview.mutations.map((m) => m.mutation_id) : [preview.mutation_id];
  return ids
    .map((id) => `Confirm with: dinobase confirm ${id}\nCancel with:  dinobase cancel ${id}`)
    .join('\n');
}

function mutations(ctx: Context): MutationEngine {
  return new MutationEngine(ctx.db, { store: ctx.store });
}

export const query: Command = {
  name: 'query',
  summary: 'Run SQL, or a saved query; UPDATE/INSERT/DELETE return a preview to confirm.',
  usage: 'query "<sql>" [--max-rows N]  |  query --saved NAME [--max-rows N]',
  options: { 'max-rows': { type: 'string' }, saved: { type: 'string' } },
  help: [
    { flag: '--max-rows N', text: 'rows returned at most (default 200); total_rows still counts all' },
    { flag: '--saved NAME', text: 'run the saved query NAME instead of SQL (see `dinobase saved`)' },
  ],
  notes: [
    'Examples:',
    '  dinobase query "SELECT count(*) FROM stripe.customers"',
    '  dinobase query --saved "Revenue by month"',
    `  dinobase query "UPDATE stripe.customers SET name = 'Acme' WHERE id = 'cus_…'"   # then: dinobase confirm <mutation_id>`,
  ],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals, values }) {
    const maxRows = intOption(values, 'max-rows', 200);
    const saved = stringOption(values, 'saved');
    if ((saved === undefined) === (positionals[0] === undefined)) {
      throw new UsageError('dinobase query: give either "<sql>" or --saved NAME.', query);
    }
    // A saved query's SQL takes the same path as typed SQL: the classifier, previews for writes.
    const sql = saved === undefined ? positionals[0]! : (await getSaved(ctx.db, saved)).sql;
    const engine = new QueryEngine(ctx.db, { mutations: mutations(ctx) });
    const result = await engine.execute(sql, { maxRows });
    if (isMutationResponse(result) && 'mutation_id' in result) {
      return finish(ctx, result, `${pretty(result.preview)}\n\n${nextSteps(result)}`);
    }
    // A script: its outcome list comes first (on stderr when it failed, so stdout stays empty).
    const statements = (result as { statements?: unknown }).statements;
    if (!Array.isArray(statements)) return finish(ctx, result);
    const outcomes = outcomeTable(statements as StatementOutcome[]);
    if (isErrorResult(result)) {
      await ctx.warn(outcomes);
      return finish(ctx, result);
    }
    if (isScriptPreview(result)) {
      const { pending } = result;
      const body = 'batch_id' in pending ? pending.mutations.map((m) => m.preview) : pending.preview;
      return finish(
        ctx,
        result,
        `${outcomes}\n\n${pretty(body)}\n\n${result.message}\n${nextSteps(pending)}`,
      );
    }
    const steps = 'pending' in result && result.pending ? `\n${nextSteps(result.pending)}` : '';
    return finish(ctx, result, `${outcomes}\n\n${pretty(result)}${steps}`);
  },
};

export const describe: Command = {
  name: 'describe',
  summary: 'Columns, types, notes, freshness and sample rows of a table.',
  usage: 'describe <schema.table>',
  positionals: { min: 1, max: 1 },
  async run(ctx, { positionals }) {
    const result = await new QueryEngine(ctx.db, { mutations: mutations(ctx) }).describeTable(
      positionals[0]!,
    );
    if (isErrorResult(result)) return finish(ctx, result);
    const { columns, sample_rows: samples, ...rest } = result;
    const text = [
      pretty(rest),
      '',
      table(columns.map((c) => ({ ...c }))),
      '',
      'sample rows:',
      samples.length > 0 ? table(samples) : '(none)',
    ].join('\n');
    return finish(ctx, result, text);
  },
};

export const confirm: Command = {
  name: 'confirm',
  summary: 'Execute a previewed mutation: write to the source API, then to the local table.',
  usage: 'confirm <mutation_id>',
  positionals: { min: 1, max: 1 },
  async run(ctx, { positionals }) {
    const result = await mutations(ctx).confirm(positionals[0]!);
    if (!isErrorResult(result) && result.status === 'failed') {
      await ctx.emit(result);
      await ctx.warn(`Error: mutation ${positionals[0]} failed at the source API.`);
      return 1;
    }
    return finish(ctx, result);
  },
};

export const cancel: Command = {
  name: 'cancel',
  summary: 'Cancel a previewed mutation; nothing is written.',
  usage: 'cancel <mutation_id>',
  positionals: { min: 1, max: 1 },
  async run(ctx, { positionals }) {
    return finish(ctx, await mutations(ctx).cancel(positionals[0]!));
  },
};
