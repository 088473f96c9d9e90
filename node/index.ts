// The headless library (Node): the seed's classes on native DuckDB, `import { DinobaseDB, … } from 'dinobase-browser'`.
export { DinobaseDB, type DinobaseDBOptions } from '../worker/db.ts';
export { CredentialStore, type CredentialStoreOptions } from './credentials.ts';
export { MutationEngine, QueryEngine, SyncEngine, SyncScheduler, type HeadlessOptions } from './headless.ts';
export { defaultDatabasePath, defaultHome } from '../worker/home.ts';
export { openWith, type DriverName } from '../worker/duckdb/node.ts';
export type { QueryResult, ErrorResult, ExecuteOptions } from '../worker/query/engine.ts';
export type { SyncResult, SyncSourceConfig } from '../worker/sync/engine.ts';
export type { ScheduledResult } from '../worker/sync/scheduler.ts';
export type { SourceConfig, StoredSource } from '../worker/meta/sources.ts';
export * from '../worker/errors.ts';
