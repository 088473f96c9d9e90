// The platform's DuckDB: package.json's "#duckdb" import picks browser.ts under Vite and node.ts in Node.
export { defaultPath, openDuckDB } from '#duckdb';
export type {
  BatchOptions,
  DuckConnection,
  DuckDatabase,
  HeadOptions,
  HeadResult,
  InsertTarget,
  OpenDuckDB,
  OpenOptions,
  Param,
  RunOptions,
  StagingFiles,
  StartupTimings,
} from './types.ts';
