// serve and sandbox: the long-running commands, the app server of `npm start` and the vendor sandboxes alone.
import { serveFromEnv } from '../../serve.ts';
import { serveSandboxes } from '../../../proxy/sandbox/test-server.ts';
import { intOption, type Command } from '../args.ts';
import type { Context } from '../context.ts';

/** Resolves on Ctrl+C or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export const serve: Command = {
  name: 'serve',
  summary:
    'Serve the app, its API, the relay and /mcp: the same server as `npm start` (HOST, PORT, DINOBASE_* apply).',
  usage: 'serve [--sync]',
  notes: [
    'Serves ./dist: run `npm run build` first (npm start does both).',
    'With DINOBASE_PUBLISH_URL (s3://bucket/prefix, file:///dir or a path) it serves the published datasets at /api/datasets.',
  ],
  options: { sync: { type: 'boolean' } },
  help: [
    {
      flag: '--sync',
      text: 'also sync every source on its schedule here (as DINOBASE_SYNC=server) and publish it to DINOBASE_PUBLISH_URL',
    },
  ],
  positionals: { min: 0, max: 0 },
  async run(ctx: Context, { values }) {
    const write = (line: string) => void ctx.io.stdout.write(`${line}\n`);
    const fail = (line: string) => void ctx.io.stderr.write(`${line}\n`);
    const served = await serveFromEnv(ctx.env, write, fail, {
      sync: values.sync === true,
      dbPath: ctx.dbPath,
    });
    if (!served) return 1;
    await untilStopped();
    await served.close();
    return 0;
  },
};

const VENDORS = ['stripe', 'hubspot', 'linear', 'github'] as const;

export const sandbox: Command = {
  name: 'sandbox',
  summary:
    'Serve the Stripe, HubSpot, Linear and GitHub sandboxes alone on loopback, and print how to add them.',
  usage: 'sandbox [--port N]',
  options: { port: { type: 'string' } },
  help: [{ flag: '--port N', text: 'port on 127.0.0.1 (default 8788; 0 takes a free one)' }],
  positionals: { min: 0, max: 0 },
  async run(ctx, { values }) {
    const port = intOption(values, 'port', 8788, 0);
    const served = await serveSandboxes({ port }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new Error(`Port ${port} on 127.0.0.1 is already in use; pass --port N (0 takes a free one).`);
    });
    const sources = Object.fromEntries(
      VENDORS.map((vendor) => {
        const credentials: Record<string, string> = served.sandboxes.credentials[vendor];
        const base_url = `${served.base}/${vendor}`;
        const flags = Object.entries(credentials).map(([k, v]) => `--${k.replaceAll('_', '-')} ${v}`);
        return [
          vendor,
          { base_url, credentials, add: `dinobase add ${vendor} --base-url ${base_url} ${flags.join(' ')}` },
        ];
      }),
    );
    // The sandbox keys are public demo values, not secrets: printing them is the point.
    const result = { sandbox: served.base, sources };
    const text = [
      `Sandbox APIs at ${served.base}/ (Ctrl+C stops). Add them with:`,
      ...VENDORS.map((v) => `  ${sources[v]!.add}`),
      'then: dinobase sync',
    ].join('\n');
    ctx.io.stdout.write(`${ctx.pretty ? text : JSON.stringify(result)}\n`);
    await untilStopped();
    await served.close();
    return 0;
  },
};
