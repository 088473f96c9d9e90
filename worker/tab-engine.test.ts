// A tab's engine touches the database only between open() and close(): late calls after a handover fail.
import { afterAll, describe, expect, it } from 'vitest';
import { NotReadyError } from './errors.ts';
import { createTabEngine } from './tab-engine.ts';

const engine = createTabEngine({});
afterAll(() => engine.close());

describe('createTabEngine', () => {
  it('refuses to open the database before open()', async () => {
    await expect(engine.listSources()).rejects.toBeInstanceOf(NotReadyError);
  });

  it('works after open(), and refuses again after close() instead of reopening', async () => {
    await engine.open();
    expect(await engine.listSources()).toMatchObject({ sources: expect.any(Array) });
    await engine.close();
    await expect(engine.listSources()).rejects.toThrow('open in another tab');
    await engine.open();
    expect(await engine.execute({ sql: 'SELECT 42 AS answer' })).toMatchObject({ rows: [{ answer: 42 }] });
  });
});
