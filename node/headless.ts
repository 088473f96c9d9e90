// The engines with Node's defaults, as the seed's library has them: connector specs read from disk, requests straight to each vendor, credentials from $DINOBASE_HOME.
import { loadConnectors } from '../proxy/connectors.ts';
import { CredentialStore, storeTransport } from './credentials.ts';
import type { ConnectorRegistry } from '../worker/connectors/registry.ts';
import type { DinobaseDB } from '../worker/db.ts';
import { WriteBack } from '../worker/mutations/writer.ts';
import { QueryEngine as CoreQueryEngine, type MutationHandler } from '../worker/query/engine.ts';
import {
  MutationEngine as CoreMutationEngine,
  type MutationEngineOptions,
} from '../worker/query/mutations.ts';
import { SyncEngine as CoreSyncEngine, type SyncEngineOptions } from '../worker/sync/engine.ts';
import { SyncScheduler as CoreSyncScheduler, type SchedulerOptions } from '../worker/sync/scheduler.ts';

export interface HeadlessOptions {
  /** Where credentials come from when a call passes none; default the store under `$DINOBASE_HOME`. */
  store?: CredentialStore;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

function transportOf(options: HeadlessOptions) {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return storeTransport(options.store ?? new CredentialStore(), fetchImpl);
}

/** Syncs a source straight from its API; `sync(name, {type})` without credentials uses the stored ones. */
export class SyncEngine extends CoreSyncEngine {
  constructor(db: DinobaseDB, options: SyncEngineOptions & HeadlessOptions = {}) {
    super(db, {
      ...options,
      connectors: options.connectors ?? loadConnectors(),
      transport: options.transport ?? transportOf(options),
    });
  }
}

/** Previews SQL writes and, on confirm, sends them to the source's API with the stored credentials. */
export class MutationEngine extends CoreMutationEngine {
  constructor(db: DinobaseDB, options: MutationEngineOptions & HeadlessOptions = {}) {
    const connectors = options.connectors ?? loadConnectors();
    const writer =
      options.writer ??
      new WriteBack(db, { transport: transportOf(options), connectors, clock: options.clock ?? db.clock });
    super(db, { ...options, connectors, writer });
  }
}

/** Reads, with UPDATE/INSERT/DELETE routed to a MutationEngine's previews. */
export class QueryEngine extends CoreQueryEngine {
  constructor(
    db: DinobaseDB,
    options: { mutations?: MutationHandler; connectors?: ConnectorRegistry } & HeadlessOptions = {},
  ) {
    const connectors = options.connectors ?? loadConnectors();
    super(db, {
      mutations: options.mutations ?? new MutationEngine(db, { ...options, connectors }),
      connectors,
    });
  }
}

/** Syncs every registered source that is due, with the stored credentials. */
export class SyncScheduler extends CoreSyncScheduler {
  constructor(db: DinobaseDB, options: SchedulerOptions & HeadlessOptions = {}) {
    const engine =
      options.engine ??
      new SyncEngine(db, { clock: options.clock, store: options.store, fetch: options.fetch });
    super(db, { ...options, engine });
  }
}
