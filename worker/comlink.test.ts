import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { registerTransferHandlers, releasingCallbacks } from './comlink.ts';
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

  it('releases the ports of nested callbacks when the call ends, except for the methods that keep them', async () => {
    registerTransferHandlers();
    const { port1, port2 } = new MessageChannel();
    let kept: ((n: number) => unknown) | undefined;
    let used: ((n: number) => unknown) | undefined;
    Comlink.expose(
      releasingCallbacks(
        {
          async work({ onProgress }: { onProgress: (n: number) => void }) {
            used = onProgress;
            await onProgress(1);
          },
          async fail({ onProgress }: { onProgress: (n: number) => void }) {
            await onProgress(1);
            throw new QueryError('bad_sql', 'nope');
          },
          async watch({ onEvent }: { onEvent: (n: number) => void }) {
            kept = onEvent;
          },
        },
        ['watch'],
      ),
      port1 as unknown as Comlink.Endpoint,
    );
    type Api = {
      work(o: { onProgress: (n: number) => void }): Promise<void>;
      fail(o: { onProgress: (n: number) => void }): Promise<void>;
      watch(o: { onEvent: (n: number) => void }): Promise<void>;
    };
    const remote = Comlink.wrap<Api>(port2 as unknown as Comlink.Endpoint);
    const released: string[] = [];
    // Comlink calls an exposed object's finalizer when the other side releases its port.
    const callback = (name: string, seen: number[]) =>
      Comlink.proxy(
        Object.assign((n: number) => void seen.push(n), { [Comlink.finalizer]: () => released.push(name) }),
      );
    const progress: number[] = [];
    await remote.work({ onProgress: callback('work', progress) });
    await expect(remote.fail({ onProgress: callback('fail', progress) })).rejects.toThrow('nope');
    const events: number[] = [];
    await remote.watch({ onEvent: callback('watch', events) });
    await expect.poll(() => [...released].sort()).toEqual(['fail', 'work']);
    expect(progress).toEqual([1, 1]);
    expect(() => used!(2)).toThrow('Proxy has been released');
    // The watcher's callback lives on until its owner releases it.
    await kept!(7);
    expect(events).toEqual([7]);
    port1.close();
    port2.close();
  });
});
