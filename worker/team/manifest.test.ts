// parseManifest and parseDatasetList: what the proxy sends is checked against dinobase-dataset/1 before a pull uses it.
import { describe, expect, it } from 'vitest';
import { SyncError } from '../errors.ts';
import { parseDatasetList, parseManifest, type Manifest } from './manifest.ts';

const VERSION = 'v20261204T173000Z-3f2a9c1b';
const manifest: Manifest = {
  format: 'dinobase-dataset/1',
  source: 'stripe',
  source_type: 'stripe',
  version: VERSION,
  sync_id: '3f2a9c1b-0000-0000-0000-000000000000',
  synced_at: '2026-12-04T17:30:00.000Z',
  published_at: '2026-12-04T17:30:00.000Z',
  rows: 2,
  bytes: 100,
  tables: [
    {
      name: 'customers',
      rows: 2,
      bytes: 100,
      columns: [{ name: 'id', type: 'VARCHAR' }],
      files: [
        { path: `customers/${VERSION}/part-00000.parquet`, rows: 2, bytes: 100, sha256: 'a'.repeat(64) },
      ],
    },
  ],
  versions: [VERSION],
};

/** `manifest` with one file entry changed. */
const withFile = (file: Record<string, unknown>) => ({
  ...manifest,
  tables: [{ ...manifest.tables[0]!, files: [{ ...manifest.tables[0]!.files[0]!, ...file }] }],
});

/** The error `run` throws; fails the test when it throws none. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('the manifest as the tab receives it', () => {
  it('takes a manifest that follows dinobase-dataset/1', () => {
    expect(parseManifest(JSON.parse(JSON.stringify(manifest)), 'stripe')).toEqual(manifest);
  });

  it.each([
    ['not an object', 'oops', /\(root\)/],
    ['another format', { ...manifest, format: 'dinobase-dataset/2' }, /format/],
    ['no tables', { ...manifest, tables: undefined }, /tables/],
    ['a file outside its table', withFile({ path: `customers/${VERSION}/../../../etc/x.parquet` }), /path/],
    ['a file that is not Parquet', withFile({ path: `customers/${VERSION}/part-00000.csv` }), /path/],
    ['a hash that is not a sha256', withFile({ sha256: 'not-a-hash' }), /sha256/],
    ['rows as text', withFile({ rows: '2' }), /rows/],
  ])('refuses %s with bad_response, naming the field', (_, body, field) => {
    const error = thrown(() => parseManifest(body, 'stripe'));
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ code: 'bad_response' });
    expect((error as SyncError).message).toMatch(field);
  });

  it("refuses another source's manifest", () => {
    const error = thrown(() => parseManifest({ ...manifest, source: 'hubspot' }, 'stripe'));
    expect(error).toMatchObject({ name: 'SyncError', code: 'bad_response' });
    expect((error as SyncError).message).toMatch(/'hubspot'/);
  });

  it('refuses a dataset list whose entry lacks its numbers', () => {
    const { tables: _files, ...summary } = manifest;
    const error = thrown(() => parseDatasetList({ datasets: [{ ...summary, rows: null, tables: [] }] }));
    expect(error).toMatchObject({ name: 'SyncError', code: 'bad_response' });
    expect((error as SyncError).message).toMatch(/datasets\.0\.rows/);
  });
});
