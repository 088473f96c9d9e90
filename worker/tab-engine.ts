// The engine of one browser tab: it may open the OPFS database only between open() and close() (see web/lib/tabs.ts).
import type { EngineApi } from './api.ts';
import { DinobaseDB } from './db.ts';
import { defaultPath, openDuckDB, type OpenDuckDB } from './duckdb/index.ts';
import { NotReadyError } from './errors.ts';
import { createEngineService, type ServiceOptions } from './service.ts';

/**
 * DinobaseDB reopens its database on the next call after a close. After a handover that would be a late
 * call (a refresh still in flight) taking the file back from the tab that now owns it, so here it fails.
 */
export function createTabEngine(
  /** `open` opens DuckDB (the platform's default driver if not given). */
  { open = openDuckDB, ...options }: Omit<ServiceOptions, 'db'> & { open?: OpenDuckDB },
): EngineApi {
  let owner = false;
  const db = new DinobaseDB(defaultPath(), {
    open: (o) =>
      owner
        ? open(o)
        : Promise.reject(
            new NotReadyError('not_ready', 'The database is open in another tab; click "Use here".'),
          ),
  });
  const service = createEngineService({ ...options, db });
  return {
    ...service,
    open() {
      owner = true;
      return service.open();
    },
    close() {
      owner = false;
      return service.close();
    },
  };
}
