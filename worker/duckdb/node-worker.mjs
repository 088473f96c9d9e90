// Loads duckdb-wasm's CommonJS Node worker from an ES module, the only form web-worker runs without hanging.
import { createRequire } from 'node:module';
createRequire(import.meta.url)('@duckdb/duckdb-wasm/dist/duckdb-node-eh.worker.cjs');
