// Bench-only floors of P1's default driver: a read relayed through one more worker that holds DuckDB's worker, as the engine worker does.
import { ipcTransfer, type IpcMessages } from '../common/arrow.ts';
import { instantiateDuckDB, openDuckDB } from '../worker/duckdb/browser.ts';

/**
 * What the page sends: one read, as one `runQuery` (`run`) or as the driver's cancellable streamed head
 * (`head`: `DuckConnection.queryHead`, the chunk port, the chunks as they came). The answer is the read's Arrow
 * IPC messages (transferred) or the error's text.
 */
export interface TwoHopRequest {
  id: number;
  sql: string;
  mode: 'run' | 'head';
}
export type TwoHopAnswer = { id: number; ipc: IpcMessages } | { id: number; error: string };

const raw = (async () => {
  const db = await instantiateDuckDB();
  await db.open({ path: ':memory:', query: { castBigIntToDouble: false, castDecimalToDouble: false } });
  return db.connect();
})();
const driver = (async () => (await openDuckDB({ path: ':memory:' })).connect())();

async function read({ sql, mode }: TwoHopRequest): Promise<IpcMessages> {
  if (mode === 'run') {
    const conn = await raw;
    return [await conn.useUnsafe((db, id) => db.runQuery(id, sql))];
  }
  const head = await (
    await driver
  ).queryHead(sql, {
    maxRows: 1_000_000,
    wrappable: true,
    signal: new AbortController().signal,
  });
  if (!head.ipc) throw new Error('the driver returned no IPC bytes');
  return head.ipc;
}

// Plain postMessage, no Comlink and none of the engine's work (classification, result shape), so the app's
// default path cannot be faster than these on the same machine.
self.onmessage = async ({ data }: MessageEvent<TwoHopRequest>) => {
  try {
    const ipc = await read(data);
    self.postMessage({ id: data.id, ipc } satisfies TwoHopAnswer, { transfer: ipcTransfer(ipc) });
  } catch (error) {
    self.postMessage({ id: data.id, error: String(error) } satisfies TwoHopAnswer);
  }
};
