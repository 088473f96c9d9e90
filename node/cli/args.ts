// The CLI's argument parsing on node:util parseArgs: one Command entry per command, global flags, help text.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Context } from './context.ts';

/** A bad command line: exit 2, with the command's help. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}

export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  positionals: string[];
  values: Values;
}

export interface OptionHelp {
  /** Shown in help, e.g. "--max-rows N". */
  flag: string;
  text: string;
}

export interface Command {
  name: string;
  summary: string;
  /** After `dinobase `, e.g. `query "<sql>" [--max-rows N]`. */
  usage: string;
  options?: ParseArgsOptionsConfig;
  /** Lines of help, one per option (global flags are added to every command). */
  help?: OptionHelp[];
  /** Extra help paragraphs (examples). */
  notes?: string[];
  positionals: { min: number; max: number };
  /** Options that depend on the positionals, such as `add stripe`'s credential flags. */
  moreOptions?: (argv: string[]) => { options: ParseArgsOptionsConfig; help: OptionHelp[] };
  /** Resolves to the exit code. */
  run(ctx: Context, args: Parsed): Promise<number>;
}

export const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  db: { type: 'string' },
  pretty: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP: OptionHelp[] = [
  { flag: '--db <path>', text: 'database file (default $DINOBASE_HOME/dinobase.duckdb)' },
  { flag: '--pretty', text: 'aligned tables for people instead of JSON' },
  { flag: '--help', text: 'this help' },
];

/** Parses a command's arguments strictly; unknown flags and wrong positional counts are UsageErrors. */
export function parseCommand(command: Command, argv: string[]): Parsed {
  const extra = command.moreOptions?.(argv) ?? { options: {}, help: [] };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options, ...extra.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
  const values = parsed.values as Values;
  if (values.help) return { positionals: parsed.positionals, values };
  const count = parsed.positionals.length;
  const { min, max } = command.positionals;
  if (count < min) throw new UsageError(`dinobase ${command.name}: missing argument.`, command);
  if (count > max) {
    throw new UsageError(
      `dinobase ${command.name}: unexpected argument '${parsed.positionals[max]}'.`,
      command,
    );
  }
  return { positionals: parsed.positionals, values };
}

/** Splits the global flags that may come before the command name from the rest. */
export function splitGlobal(argv: string[]): { global: string[]; name: string | undefined; rest: string[] } {
  const global: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--db') global.push(arg, argv[++i] ?? '');
    else if (arg.startsWith('--db=') || arg === '--pretty' || arg === '--help' || arg === '-h')
      global.push(arg);
    else break;
  }
  return { global, name: argv[i], rest: argv.slice(i + 1) };
}

function rows(items: OptionHelp[]): string[] {
  const width = Math.max(...items.map((o) => o.flag.length));
  return items.map((o) => `  ${o.flag.padEnd(width)}  ${o.text}`);
}

export function commandHelp(command: Command, argv: string[] = []): string {
  const extra = command.moreOptions?.(argv).help ?? [];
  const options = [...(command.help ?? []), ...extra];
  return [
    `Usage: dinobase ${command.usage}`,
    '',
    command.summary,
    '',
    ...(options.length > 0 ? ['Options:', ...rows(options), ''] : []),
    'Global options:',
    ...rows(GLOBAL_HELP),
    ...(command.notes ? ['', ...command.notes] : []),
    '',
  ].join('\n');
}

export function topHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: dinobase [--db <path>] [--pretty] <command> [options]',
    '',
    'Sync SaaS data into DuckDB, query it with SQL, write back with previewed mutations.',
    'Output is JSON on stdout unless --pretty. `dinobase <command> --help` for details.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...rows(GLOBAL_HELP),
    '',
  ].join('\n');
}

/** An integer option >= `min`; a UsageError naming the flag and the value otherwise. */
export function intOption(values: Values, name: string, fallback: number, min = 1): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer of at least ${min}, got '${String(raw)}'.`);
  }
  return n;
}

/** A comma list option (`--resources a,b`), or undefined when absent. */
export function listOption(values: Values, name: string): string[] | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

export function stringOption(values: Values, name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}
