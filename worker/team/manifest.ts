// The published dataset contract (issue 15): the dataset list and a source's manifest.json, checked on arrival.
import type { z } from 'zod';
import { DatasetList, DatasetManifest, type DatasetSummary } from '../../common/datasets.ts';
import { SyncError } from '../errors.ts';

export type { DatasetSummary };
export type Manifest = DatasetManifest;
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

export const parseDatasetList = (body: unknown) => parsed(DatasetList, body, 'a dataset list').datasets;

export function parseManifest(body: unknown, source: string): Manifest {
  const m = parsed(DatasetManifest, body, `the manifest of '${source}'`);
  if (m.source !== source)
    throw new SyncError(
      'bad_response',
      `The manifest asked for '${source}' is the manifest of '${m.source}'.`,
    );
  return m;
}

/** What identifies a table's published content: its files' hashes, in order. */
export const contentHash = (table: ManifestTable) => table.files.map((f) => f.sha256).join(',');
