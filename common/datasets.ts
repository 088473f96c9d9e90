// The published dataset contract (issue 15, `dinobase-dataset/1`) as zod schemas: the publisher, the proxy and the tab share it.
import { z } from 'zod';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** `files[].path`: `<table>/<version>/<file>.parquet`, relative to `<root>/<source>/`; no `..`, nothing else. */
const FILE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_-]*\/v[A-Za-z0-9_-]+\/[A-Za-z0-9_.-]+\.parquet$/;

/** One Parquet file of a published table. */
export const DatasetFile = z.object({
  path: z
    .string()
    .regex(FILE_PATH)
    .refine((p) => !p.includes('..'), 'a file path may not contain ".."'),
  rows: z.number(),
  bytes: z.number(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type DatasetFile = z.infer<typeof DatasetFile>;

/** `<root>/<source>/manifest.json`: written last by the publisher, the only object it ever overwrites. */
export const DatasetManifest = z.object({
  format: z.literal('dinobase-dataset/1'),
  source: z.string().regex(NAME),
  source_type: z.string(),
  version: z.string(),
  sync_id: z.string(),
  synced_at: z.string(),
  published_at: z.string(),
  rows: z.number(),
  bytes: z.number(),
  tables: z.array(
    z.object({
      name: z.string().regex(NAME),
      rows: z.number(),
      bytes: z.number(),
      /** DuckDB type names, as DESCRIBE gives them. */
      columns: z.array(z.object({ name: z.string(), type: z.string() })),
      files: z.array(DatasetFile),
    }),
  ),
  /** The versions kept, newest first; the first is `version`. */
  versions: z.array(z.string()),
});
export type DatasetManifest = z.infer<typeof DatasetManifest>;

/** One entry of GET /api/datasets: a source's manifest without its files. */
export const DatasetSummary = DatasetManifest.pick({
  source: true,
  source_type: true,
  version: true,
  synced_at: true,
  published_at: true,
  rows: true,
  bytes: true,
}).extend({ tables: z.array(z.object({ name: z.string(), rows: z.number(), bytes: z.number() })) });
export type DatasetSummary = z.infer<typeof DatasetSummary>;

/** GET /api/datasets: one entry per source that has a manifest. */
export const DatasetList = z.object({ datasets: z.array(DatasetSummary) });
export type DatasetList = z.infer<typeof DatasetList>;
