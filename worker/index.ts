// The headless library (Node): the seed's classes on native DuckDB, `import { DinobaseDB, … } from 'dinobase-browser'`.
export { DinobaseDB, type DinobaseDBOptions } from './db.ts';
export { CredentialStore, type CredentialStoreOptions } from './credentials.ts';
export { MutationEngine, QueryEngine, SyncEngine, SyncScheduler, type HeadlessOptions } from './headless.ts';
export { defaultDatabasePath, defaultHome } from './home.ts';
export { openWith, type DriverName } from './duckdb/node.ts';
export type { QueryResult, ErrorResult, ExecuteOptions } from './query/engine.ts';
export type { SyncResult, SyncSourceConfig } from './sync/engine.ts';
export type { ScheduledResult } from './sync/scheduler.ts';
export type { SourceConfig, StoredSource } from './meta/sources.ts';
export * from './errors.ts';
