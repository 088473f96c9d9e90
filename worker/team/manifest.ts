// The published dataset contract (issue 15): the dataset list and a source's manifest.json, checked on arrival.
import { z } from 'zod';
import { SyncError } from '../errors.ts';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** `files[].path`: `<table>/<version>/<file>.parquet`, relative to the source; no `..`, nothing else. */
const FILE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_-]*\/v[A-Za-z0-9_-]+\/[A-Za-z0-9_.-]+\.parquet$/;

const tableSummary = z.object({ name: z.string(), rows: z.number(), bytes: z.number() });

export const datasetSummary = z.object({
  source: z.string().regex(NAME),
  source_type: z.string(),
  version: z.string(),
  synced_at: z.string(),
  published_at: z.string(),
  rows: z.number(),
  bytes: z.number(),
  tables: z.array(tableSummary),
});

const datasetList = z.object({ datasets: z.array(datasetSummary) });

const file = z.object({
  path: z
    .string()
    .regex(FILE_PATH)
    .refine((p) => !p.includes('..')),
  rows: z.number(),
  bytes: z.number(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const manifest = z.object({
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
      columns: z.array(z.object({ name: z.string(), type: z.string() })),
      files: z.array(file),
    }),
  ),
  versions: z.array(z.string()),
});

export type DatasetSummary = z.infer<typeof datasetSummary>;
export type Manifest = z.infer<typeof manifest>;
export type ManifestTable = Manifest['tables'][number];

function parsed<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new SyncError(
    'bad_response',
    `The proxy sent ${what} that does not follow dinobase-dataset/1: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`,
  );
}

export const parseDatasetList = (body: unknown) => parsed(datasetList, body, 'a dataset list').datasets;

export function parseManifest(body: unknown, source: string): Manifest {
  const m = parsed(manifest, body, `the manifest of '${source}'`);
  if (m.source !== source)
    throw new SyncError(
      'bad_response',
      `The manifest asked for '${source}' is the manifest of '${m.source}'.`,
    );
  return m;
}

/** What identifies a table's published content: its files' hashes, in order. */
export const contentHash = (table: ManifestTable) => table.files.map((f) => f.sha256).join(',');
