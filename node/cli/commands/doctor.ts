// doctor: checks the home directory, the credentials file, the database lock, both engines' versions and each source.
import { existsSync, statSync } from 'node:fs';
import { loadConnectors } from '../../../proxy/connectors.ts';
import { openWith, type DriverName } from '../../../worker/duckdb/node.ts';
import { errorMessage } from '../../../worker/errors.ts';
import type { Command } from '../args.ts';
import type { Context } from '../context.ts';
import { table } from '../output.ts';

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

/** Whether only the owner may read `path` (no group or other bits). */
function privateMode(path: string): { ok: boolean; mode: string } {
  const mode = statSync(path).mode & 0o777;
  return { ok: (mode & 0o077) === 0, mode: mode.toString(8).padStart(4, '0') };
}

function checkHome(ctx: Context): Check {
  if (!existsSync(ctx.home))
    return { check: 'home', ok: false, detail: `${ctx.home} does not exist: run dinobase init` };
  const { ok, mode } = privateMode(ctx.home);
  return {
    check: 'home',
    ok,
    detail: ok ? `${ctx.home} (${mode})` : `${ctx.home} is ${mode}; make it private: chmod 700 ${ctx.home}`,
  };
}

function checkCredentials(ctx: Context): Check {
  const file = ctx.store.location;
  if (!existsSync(file)) return { check: 'credentials', ok: true, detail: `${file}: none stored yet` };
  const { ok, mode } = privateMode(file);
  return {
    check: 'credentials',
    ok,
    detail: ok ? `${file} (${mode})` : `${file} is ${mode}; make it private: chmod 600 ${file}`,
  };
}

async function checkDatabase(ctx: Context): Promise<Check> {
  try {
    await ctx.db.conn;
    return {
      check: 'database',
      ok: true,
      detail: `${ctx.dbPath}: opened for writing (no other process holds it)`,
    };
  } catch (error) {
    // DuckDB's lock error names the file and the process holding it.
    return { check: 'database', ok: false, detail: errorMessage(error) };
  }
}

async function engineVersion(driver: DriverName): Promise<string> {
  const db = await openWith(driver)({ path: ':memory:' });
  try {
    return db.version;
  } finally {
    await db.close();
  }
}

async function checkEngines(): Promise<Check> {
  try {
    const [native, wasm] = [await engineVersion('native'), await engineVersion('wasm')];
    return {
      check: 'engines',
      ok: native === wasm,
      detail:
        native === wasm
          ? `native ${native}, wasm ${wasm}: database files cross between CLI and browser`
          : `native ${native} but wasm ${wasm}: files written by one may not open in the other`,
    };
  } catch (error) {
    return { check: 'engines', ok: false, detail: errorMessage(error) };
  }
}

/** Any HTTP answer from the source's API base counts as reachable; credentials are checked by name only. */
async function checkSources(ctx: Context): Promise<Check[]> {
  let sources;
  try {
    sources = await ctx.db.getSources();
  } catch {
    return [];
  }
  const registry = loadConnectors();
  const summaries = new Map((await ctx.store.list()).map((s) => [s.name, s]));
  return Promise.all(
    sources.map(async (source): Promise<Check> => {
      const check = `source ${source.name}`;
      if (!registry.has(source.type)) return { check, ok: false, detail: `unknown type '${source.type}'` };
      const base =
        source.base_url ??
        (await ctx.store.baseUrl(source.name)) ??
        registry.get(source.type).client.base_url;
      const missing =
        summaries.get(source.name)?.missing ?? registry.get(source.type).credentials.map((f) => f.name);
      try {
        const response = await fetch(base, { method: 'GET', signal: AbortSignal.timeout(10_000) });
        await response.body?.cancel();
        const creds =
          missing.length > 0 ? `; missing credentials: ${missing.join(', ')}` : '; credentials set';
        return {
          check,
          ok: missing.length === 0,
          detail: `${base} answers (HTTP ${response.status})${creds}`,
        };
      } catch (error) {
        return { check, ok: false, detail: `${base} is unreachable: ${errorMessage(error)}` };
      }
    }),
  );
}

export const doctor: Command = {
  name: 'doctor',
  summary: 'Check the home directory, credentials file, database lock, engine versions and each source.',
  usage: 'doctor',
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const checks: Check[] = [
      checkHome(ctx),
      checkCredentials(ctx),
      await checkDatabase(ctx),
      await checkEngines(),
    ];
    checks.push(...(await checkSources(ctx)));
    const ok = checks.every((c) => c.ok);
    await ctx.emit(
      { ok, checks },
      table(checks.map((c) => ({ check: c.check, status: c.ok ? 'ok' : 'FAIL', detail: c.detail }))),
    );
    return ok ? 0 : 1;
  },
};
