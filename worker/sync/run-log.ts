// What a sync and a team pull share about one run: the result's shape, and its end in _dinobase.sync_log.
import type { DinobaseDB } from '../db.ts';
import type { SyncOptions, SyncResult } from './engine.ts';

/** A run's result before it has done anything: an error until it says otherwise. */
export const emptyResult = (name: string, type: string): SyncResult => ({
  source_name: name,
  source_type: type,
  tables_synced: 0,
  rows_synced: 0,
  rows_written: 0,
  status: 'error',
  error: null,
  resources: [],
  elapsed_ms: 0,
});

/** Marks the run a success in the result and the sync log, then reports each resource done. */
export async function logSuccess(
  db: DinobaseDB,
  logId: number,
  result: SyncResult,
  onProgress: SyncOptions['onProgress'],
): Promise<void> {
  result.status = 'success';
  await db.logSyncEnd(logId, 'success', {
    tablesSynced: result.tables_synced,
    rowsSynced: result.rows_synced,
  });
  for (const r of result.resources)
    onProgress?.({
      source: result.source_name,
      resource: r.name,
      phase: 'done',
      pages: r.pages,
      rows: r.rows,
    });
}

/** Ends a failed or cancelled run's log row; never throws, since the result already says what failed. */
export async function logFailure(db: DinobaseDB, logId: number | null, result: SyncResult): Promise<void> {
  if (logId === null) return;
  await db.logSyncEnd(logId, result.status, { errorMessage: result.error }).catch(() => undefined);
}
