import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { registerTransferHandlers } from './comlink.ts';
import { NotReadyError, QueryError } from './errors.ts';

describe('error transfer over Comlink', () => {
  it('keeps the error class, code and message across a real MessageChannel', async () => {
    registerTransferHandlers();
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(
      {
        fail() {
          throw new NotReadyError('locked', 'The database is open in another tab');
        },
        async failQuery() {
          throw new QueryError('bad_sql', 'Parser Error: syntax error');
        },
      },
      port1 as unknown as Comlink.Endpoint,
    );
    const remote = Comlink.wrap<{ fail(): void; failQuery(): Promise<void> }>(
      port2 as unknown as Comlink.Endpoint,
    );
    const error = await remote.fail().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotReadyError);
    expect(error).toMatchObject({
      code: 'locked',
      message: 'The database is open in another tab',
      name: 'NotReadyError',
    });
    await expect(remote.failQuery()).rejects.toBeInstanceOf(QueryError);
    port1.close();
    port2.close();
  });

  it('delivers callbacks nested in an options object', async () => {
    registerTransferHandlers();
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(
      {
        async work({ steps, onProgress }: { steps: number; onProgress: (n: number) => void }) {
          for (let i = 1; i <= steps; i++) await onProgress(i);
          return steps;
        },
      },
      port1 as unknown as Comlink.Endpoint,
    );
    const remote = Comlink.wrap<{
      work(o: { steps: number; onProgress: (n: number) => void }): Promise<number>;
    }>(port2 as unknown as Comlink.Endpoint);
    const seen: number[] = [];
    expect(await remote.work({ steps: 3, onProgress: Comlink.proxy((n: number) => void seen.push(n)) })).toBe(
      3,
    );
    expect(seen).toEqual([1, 2, 3]);
    port1.close();
    port2.close();
  });
});
