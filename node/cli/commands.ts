// The CLI's command table: one entry per command, in help order; a new command is one more line.
import type { Command } from './args.ts';
import { cancel, confirm, describe, query } from './commands/data.ts';
import { doctor } from './commands/doctor.ts';
import { exportCommand } from './commands/export.ts';
import { importCommand } from './commands/files.ts';
import { mcp, mcpConfigCommand } from './commands/mcp.ts';
import { sandbox, serve } from './commands/serve.ts';
import { add, connectors, info, init, status } from './commands/setup.ts';
import { save, saved } from './commands/saved.ts';
import { refresh, sync } from './commands/sync.ts';

export const COMMANDS: readonly Command[] = [
  init,
  add,
  connectors,
  status,
  sync,
  refresh,
  query,
  importCommand,
  save,
  saved,
  describe,
  exportCommand,
  confirm,
  cancel,
  info,
  doctor,
  serve,
  sandbox,
  mcp,
  mcpConfigCommand,
];
