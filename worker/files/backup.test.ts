// A files table and its `_dinobase.files` row travel in a backup and come back on restore (restored on either driver).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DinobaseDB } from '../db.ts';
import { openWith } from '../duckdb/node.ts';
import { createEngineService } from '../service.ts';
import { DatabaseStorage } from '../storage.ts';
import { ManualClock, fileOnDisk, memoryDB } from '../testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'dinobase-files-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files tables in backups', () => {
  it('an imported file keeps its table and its file row through backup and restore', async () => {
    // Native DuckDB writes the file: the same storage format as the browser's OPFS file.
    const path = join(dir, 'with_files.duckdb');
    const source = new DinobaseDB(path, {
      open: openWith('native'),
      clock: new ManualClock(Date.UTC(2026, 5, 1, 12)),
    });
    const writer = createEngineService({ db: source });
    await writer.open();
    await writer.importFile({ file: new File(['id,name\n1,Acme\n2,Globex\n'], 'Clients 2026.csv') });
    const { bytes } = await new DatabaseStorage(source, {
      files: fileOnDisk(path, 'with_files.duckdb'),
    }).backup();
    await writer.close();

    const db = memoryDB();
    const engine = createEngineService({ db });
    await engine.open();
    try {
      await new DatabaseStorage(db, { files: null }).restore(bytes);
      expect(await db.query('SELECT id, name FROM files.clients_2026 ORDER BY id')).toEqual([
        { id: 1, name: 'Acme' },
        { id: 2, name: 'Globex' },
      ]);
      expect(await engine.listImportedFiles()).toEqual([
        {
          table_name: 'clients_2026',
          file_name: 'Clients 2026.csv',
          format: 'csv',
          size_bytes: 24,
          row_count: 2,
          imported_at: '2026-06-01 12:00:00',
        },
      ]);
      // The restored table is a files table like any other: it renames and removes.
      await engine.renameFileTable({ from: 'clients_2026', to: 'clients' });
      expect(await engine.removeFileTable({ table: 'clients' })).toMatchObject({
        file_name: 'Clients 2026.csv',
      });
      expect(await engine.listImportedFiles()).toEqual([]);
    } finally {
      await engine.close();
    }
  }, 90_000);
});
