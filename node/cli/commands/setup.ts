// init, add, connectors, status and info: setting up the home and the sources, and seeing what is there.
import { readFileSync } from 'node:fs';
import { loadConnectors } from '../../../proxy/connectors.ts';
import { envKey } from '../../../proxy/sources.ts';
import type { ConnectorSpec } from '../../../worker/connectors/spec.ts';
import { makePrivateDir } from '../../../worker/home.ts';
import { validateSource } from '../../../worker/meta/sources.ts';
import { QueryEngine } from '../../headless.ts';
import { planResources } from '../../../worker/sync/plan.ts';
import { listOption, stringOption, UsageError, type Command, type OptionHelp } from '../args.ts';
import { askHidden } from '../prompt.ts';
import { table } from '../output.ts';

const flagOf = (field: string) => field.replaceAll('_', '-');

export const init: Command = {
  name: 'init',
  summary: 'Create $DINOBASE_HOME (0700) and the database file.',
  usage: 'init',
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    await makePrivateDir(ctx.home);
    await ctx.db.conn;
    await ctx.emit({
      status: 'initialized',
      home: ctx.home,
      database: ctx.dbPath,
      credentials: ctx.store.location,
      next: 'dinobase add <type> (dinobase connectors --available lists the types)',
    });
    return 0;
  },
};

const ADD_VALUE_OPTIONS = ['name', 'resources', 'base-url', 'sync-interval', 'freshness', 'db'];

/** The connector type in `add`'s arguments: the first word that is neither a flag nor a flag's value. */
function typeIn(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) return arg;
    // Every flag of `add` but --pretty and --help takes a value (credential flags too).
    if (!arg.includes('=') && !['--pretty', '--help', '-h'].includes(arg)) i++;
  }
  return undefined;
}

function specOf(type: string): ConnectorSpec {
  const registry = loadConnectors();
  if (!registry.has(type)) {
    throw new UsageError(`Unknown source type '${type}'. Available: ${registry.names().join(', ')}.`, add);
  }
  return registry.get(type);
}

export const add: Command = {
  name: 'add',
  summary: 'Register a source and store its credentials (flag, then environment, then a hidden prompt).',
  usage:
    'add <type> [--name N] [--resources a,b] [--base-url URL] [--sync-interval 30m] [--freshness 1h] [--<credential> value]',
  options: Object.fromEntries(
    ADD_VALUE_OPTIONS.filter((o) => o !== 'db').map((o) => [o, { type: 'string' }]),
  ),
  help: [
    { flag: '--name N', text: 'source (and schema) name; default the type' },
    { flag: '--resources a,b', text: 'only these resources (tables)' },
    {
      flag: '--base-url URL',
      text: 'another API base, e.g. a sandbox: http://127.0.0.1:8787/sandbox/stripe',
    },
    { flag: '--sync-interval 30m', text: 'how often `sync --schedule` syncs it' },
    { flag: '--freshness 1h', text: 'age after which it is stale (default 1h)' },
  ],
  notes: [
    'Credential flags depend on the type (`dinobase add stripe --help`). Without the flag, the value comes from',
    'DINOBASE_<NAME>_<FIELD>, else a hidden prompt when stdin is a terminal.',
    'Example: dinobase add stripe --base-url http://127.0.0.1:8787/sandbox/stripe --api-key sk_test_dinobase_sandbox',
  ],
  positionals: { min: 1, max: 1 },
  moreOptions(argv) {
    const type = typeIn(argv);
    const registry = loadConnectors();
    if (!type || !registry.has(type)) return { options: {}, help: [] };
    const fields = registry.get(type).credentials;
    return {
      options: Object.fromEntries(fields.map((f) => [flagOf(f.name), { type: 'string' as const }])),
      help: fields.map((f): OptionHelp => ({
        flag: `--${flagOf(f.name)} <value>`,
        text: `${f.description || f.name} (or DINOBASE_${type.toUpperCase()}_${f.name.toUpperCase()})`,
      })),
    };
  },
  async run(ctx, { positionals, values }) {
    const type = positionals[0]!;
    const spec = specOf(type);
    const name = stringOption(values, 'name') ?? type;
    const resources = listOption(values, 'resources') ?? null;
    const config = {
      name,
      type,
      base_url: stringOption(values, 'base-url') ?? null,
      resources,
      sync_interval: stringOption(values, 'sync-interval') ?? null,
      freshness_threshold: stringOption(values, 'freshness') ?? null,
    };
    try {
      validateSource(config);
      planResources(spec, resources);
    } catch (error) {
      throw new UsageError((error as Error).message, add);
    }
    const given: Record<string, string> = {};
    const origin: Record<string, 'flag' | 'environment' | 'prompt' | 'stored'> = {};
    const stored = (await ctx.store.list()).find((s) => s.name === name && s.type === type);
    for (const field of spec.credentials) {
      const flag = stringOption(values, flagOf(field.name));
      if (flag !== undefined) {
        given[field.name] = flag;
        origin[field.name] = 'flag';
      } else if (ctx.env[envKey(name, field.name)]) {
        origin[field.name] = 'environment';
      } else if (stored && !stored.missing.includes(field.name)) {
        origin[field.name] = 'stored';
      } else if (ctx.io.stdin.isTTY) {
        given[field.name] = await askHidden(
          ctx.io,
          `${spec.name} ${field.description || field.name}: `,
          field.secret,
        );
        origin[field.name] = 'prompt';
      } else {
        throw new UsageError(
          `Missing credential '${field.name}' for ${name}: pass --${flagOf(field.name)} <value> or set ${envKey(name, field.name)}.`,
          add,
        );
      }
      if (given[field.name] !== undefined) ctx.addSecret(given[field.name]!);
    }
    // The database first (another process may hold its lock), then the credentials: if either refuses, no
    // half-added source is left behind.
    await ctx.db.conn;
    if (Object.keys(given).length > 0) await ctx.store.put(name, { type, credentials: given });
    const source = await ctx.db.addSource(config);
    await ctx.emit({
      status: 'added',
      source: {
        name: source.name,
        type: source.type,
        base_url: source.base_url,
        resources: source.resources,
        sync_interval: source.sync_interval,
        freshness_threshold: source.freshness_threshold,
      },
      credentials: origin,
      next: `dinobase sync ${name}`,
    });
    return 0;
  },
};

export const connectors: Command = {
  name: 'connectors',
  summary: 'The registered sources, or with --available every connector type and its credential flags.',
  usage: 'connectors [--available]',
  options: { available: { type: 'boolean' } },
  help: [{ flag: '--available', text: 'list the connector types instead' }],
  positionals: { min: 0, max: 0 },
  async run(ctx, { values }) {
    if (values.available) {
      const registry = loadConnectors();
      const available = registry.names().map((type) => {
        const spec = registry.get(type);
        return {
          type,
          description: spec.description,
          credentials: spec.credentials.map((f) => ({
            name: f.name,
            flag: `--${flagOf(f.name)}`,
            env: envKey(type, f.name),
            secret: f.secret,
          })),
          resources: spec.resources.map((r) => r.name),
        };
      });
      await ctx.emit(
        { available },
        table(available.map((a) => ({ ...a, credentials: a.credentials.map((c) => c.flag).join(' ') }))),
      );
      return 0;
    }
    const summaries = new Map((await ctx.store.list()).map((s) => [s.name, s]));
    const list = (await ctx.db.getSources()).map((s) => ({
      name: s.name,
      type: s.type,
      base_url: s.base_url,
      resources: s.resources,
      sync_interval: s.sync_interval,
      freshness_threshold: s.freshness_threshold,
      credentials_set: summaries.get(s.name)?.credentials_set ?? false,
      missing: summaries.get(s.name)?.missing ?? [],
    }));
    await ctx.emit(
      { connectors: list },
      list.length > 0 ? table(list) : 'No sources yet: dinobase add <type>',
    );
    return 0;
  },
};

export const status: Command = {
  name: 'status',
  summary: 'Every source with its tables, rows and freshness.',
  usage: 'status',
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const result = await new QueryEngine(ctx.db, { store: ctx.store }).listSources();
    const rows = result.sources.map(({ tables: _tables, ...rest }) => rest);
    await ctx.emit(
      result,
      rows.length > 0 ? table(rows) : 'No data yet: dinobase add <type>, then dinobase sync',
    );
    return 0;
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export const info: Command = {
  name: 'info',
  summary: 'Where Dinobase keeps things, and a one-line summary per source.',
  usage: 'info',
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const { sources } = await new QueryEngine(ctx.db, { store: ctx.store }).listSources();
    const summary = sources.map((s) => {
      const freshness =
        s.is_stale === undefined
          ? ''
          : s.is_stale
            ? ` — STALE (last sync: ${s.age ?? 'never'})`
            : ` — fresh (${s.age} ago)`;
      return `${s.name}: ${s.tables.map((t) => t.name).join(', ')} (${s.total_rows} rows total)${freshness}`;
    });
    const result = {
      version: version(),
      home: ctx.home,
      database: ctx.dbPath,
      credentials: ctx.store.location,
      engine: `DuckDB ${(await ctx.db.database()).version} (native)`,
      sources: summary,
    };
    const text =
      sources.length === 0
        ? 'This is a Dinobase instance with no data loaded yet. Run `dinobase add <connector>` and `dinobase sync` first.'
        : ['Sources:', ...summary.map((line) => `  ${line}`), '', `Database: ${ctx.dbPath}`].join('\n');
    await ctx.emit(result, text);
    return 0;
  },
};
