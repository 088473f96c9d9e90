// The server's sync loop (issue 15): the SyncScheduler on the headless file database, publishing each source after each successful sync.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../proxy/config.ts';
import type { PublishConfig } from '../../proxy/datasets/config.ts';
import type { DatasetTarget } from '../../proxy/datasets/target.ts';
import type { Clock } from '../../worker/clock.ts';
import { DinobaseDB } from '../../worker/db.ts';
import { openWith } from '../../worker/duckdb/node.ts';
import { errorMessage } from '../../worker/errors.ts';
import { defaultDatabasePath } from '../../worker/home.ts';
import type { SyncEngine as CoreSyncEngine } from '../../worker/sync/engine.ts';
import { CredentialStore } from '../credentials.ts';
import { SyncEngine, SyncScheduler } from '../headless.ts';
import { Publisher } from './publisher.ts';

export interface ServerSyncOptions {
  env: Record<string, string | undefined>;
  /** The publish settings (DINOBASE_PUBLISH_URL) and their target; without them the loop only syncs. */
  publish?: { config: PublishConfig; target: DatasetTarget };
  /** Default `$DINOBASE_DB`, else `$DINOBASE_HOME/dinobase.duckdb`. */
  dbPath?: string;
  store?: CredentialStore;
  fetch?: typeof fetch;
  clock?: Clock;
  /** One JSON object per line: each sync and each publish. */
  log?: (line: string) => void;
  /** How often the loop looks at the schedule at most (default 60s). */
  checkInterval?: string;
}

export interface ServerSync {
  db: DinobaseDB;
  scheduler: SyncScheduler;
  publisher: Publisher | null;
  /** Publishes after every successful sync the loop ran; resolves when that publish ends (for tests). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** DINOBASE_SYNC: `server` runs the loop in `npm start`; unset or `off` does not. */
export function serverSyncFromEnv(env: Record<string, string | undefined>): boolean {
  const value = (env.DINOBASE_SYNC ?? '').trim().toLowerCase();
  if (value === '' || value === 'off' || value === 'browser') return false;
  if (value === 'server') return true;
  throw new ConfigError(`DINOBASE_SYNC must be "server" or "off", got "${value.slice(0, 40)}".`);
}

/**
 * Opens the file database (with a private staging directory its lockdown lets DuckDB write Parquet to) and
 * starts the scheduler in the background: each source at its own `sync_interval` (DINOBASE_SYNC_INTERVAL for
 * the rest, default 1h), with the stored credentials, as `dinobase sync --schedule` does.
 */
export async function startServerSync(options: ServerSyncOptions): Promise<ServerSync> {
  const { env } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  // Beside a directory target, so each finished file is renamed into place rather than copied; a dot
  // directory, which is never listed or served.
  const spec = options.publish?.config.target;
  if (spec?.kind === 'dir') await mkdir(spec.root, { recursive: true });
  const staging = await mkdtemp(
    spec?.kind === 'dir' ? join(spec.root, '.staging-') : join(tmpdir(), 'dinobase-publish-'),
  );
  const dbPath = options.dbPath ?? (env.DINOBASE_DB || defaultDatabasePath(env));
  const native = openWith('native');
  const db = new DinobaseDB(dbPath, {
    clock: options.clock,
    open: (open) => native({ ...open, exportDir: staging }),
  });
  // Opened now, before anything else in this process opens the file without the staging directory.
  await db.database();
  const store = options.store ?? new CredentialStore({ env });
  const engine = new SyncEngine(db, { store, fetch: options.fetch, clock: options.clock });
  const publisher = options.publish
    ? new Publisher(db, {
        target: options.publish.target,
        keep: options.publish.config.keep,
        fileBytes: options.publish.config.fileBytes,
        stagingDir: staging,
        clock: options.clock,
        warn: (message) => log(JSON.stringify({ at: at(), event: 'publish', warning: message })),
      })
    : null;
  const at = () => new Date((options.clock ?? db.clock).now()).toISOString();
  let pending: Promise<void> = Promise.resolve();
  const publishing: Pick<CoreSyncEngine, 'sync'> = {
    async sync(...args) {
      const result = await engine.sync(...args);
      const { resources: _resources, ...line } = result;
      log(JSON.stringify({ at: at(), event: 'sync', ...line }));
      if (result.status === 'success' && publisher) {
        const done = publisher.publish(result.source_name).then(
          (m) =>
            log(
              JSON.stringify({
                at: at(),
                event: 'publish',
                source: m.source,
                version: m.version,
                tables: m.tables.length,
                rows: m.rows,
                bytes: m.bytes,
              }),
            ),
          (error: unknown) =>
            log(
              JSON.stringify({
                at: at(),
                event: 'publish',
                source: result.source_name,
                error: errorMessage(error),
              }),
            ),
        );
        pending = pending.then(() => done);
        // The source stays busy for the scheduler until its publish ended: the next sync never races it.
        await done;
      }
      return result;
    },
  };
  const scheduler = new SyncScheduler(db, {
    engine: publishing,
    defaultInterval: env.DINOBASE_SYNC_INTERVAL || '1h',
    clock: options.clock,
  });
  scheduler.startBackground({ checkInterval: options.checkInterval });
  return {
    db,
    scheduler,
    publisher,
    settled: () => pending,
    async stop() {
      await scheduler.stop();
      await pending;
      await db.close();
      await rm(staging, { recursive: true, force: true });
    },
  };
}
