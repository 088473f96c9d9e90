// `dinobase` entry: picks the command, parses its flags, runs it, and maps the outcome to an exit code (0, 1, 2).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../../worker/errors.ts';
import { commandHelp, parseCommand, splitGlobal, topHelp, UsageError, type Command } from './args.ts';
import { COMMANDS } from './commands.ts';
import { Context, type Io } from './context.ts';

/** Runs one command line; resolves to the exit code. Never exits the process itself. */
export async function main(argv: string[], io: Io, commands: readonly Command[] = COMMANDS): Promise<number> {
  const { global, name, rest } = splitGlobal(argv);
  const wantsHelp = global.includes('--help') || global.includes('-h');
  if (name === undefined || name === 'help') {
    const target = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    if (name === undefined && !wantsHelp) {
      io.stderr.write(topHelp(commands));
      return 2;
    }
    io.stdout.write(target ? commandHelp(target) : topHelp(commands));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`Unknown command '${name}'.\n\n${topHelp(commands)}`);
    return 2;
  }
  let ctx: Context | null = null;
  try {
    const args = parseCommand(command, [...global, ...rest]);
    if (args.values.help) {
      io.stdout.write(commandHelp(command, rest));
      return 0;
    }
    ctx = new Context(io, {
      db: typeof args.values.db === 'string' ? args.values.db : undefined,
      pretty: args.values.pretty === true,
    });
    return await command.run(ctx, args);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${commandHelp(error.command ?? command, rest)}`);
      return 2;
    }
    const message = `Error: ${errorMessage(error)}`;
    if (ctx) await ctx.warn(message);
    else io.stderr.write(`${message}\n`);
    return 1;
  } finally {
    await ctx?.close().catch(() => undefined);
  }
}

/** Runs `main` on this process's arguments and streams, then exits once stdout is flushed. */
export async function cli(): Promise<never> {
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
  // Exit explicitly: a finished command must not linger on a handle DuckDB or fetch left open.
  return new Promise<never>(() => process.stdout.write('', () => process.exit(code)));
}

const entry = process.argv[1];
if (entry && realpathSync(entry) === fileURLToPath(import.meta.url)) await cli();
