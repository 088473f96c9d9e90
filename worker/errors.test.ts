// The named errors keep their class and code across the worker boundary, also once the build minified them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rolldown } from 'rolldown';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'dinobase-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** worker/errors.ts as `vite build` ships it: bundled and minified, so classes lose their source names. */
async function minified(): Promise<typeof import('./errors.ts')> {
  const bundle = await rolldown({ input: new URL('./errors.ts', import.meta.url).pathname });
  const { output } = await bundle.generate({ format: 'esm', minify: true });
  const file = join(dir, 'errors.min.mjs');
  writeFileSync(file, output[0].code);
  return (await import(pathToFileURL(file).href)) as typeof import('./errors.ts');
}

describe('named errors', () => {
  it('keep their name through serializeError and deserializeError in the minified build', async () => {
    const errors = await minified();
    for (const Cls of [errors.QueryError, errors.ConfigError, errors.NotReadyError, errors.SyncError]) {
      const sent = errors.serializeError(new Cls('would_replace', 'hubspot holds synced data'));
      const received = errors.deserializeError(sent);
      expect(received).toBeInstanceOf(Cls);
      expect(received).toMatchObject({ code: 'would_replace', message: 'hubspot holds synced data' });
    }
    expect(errors.serializeError(new errors.ConfigError('invalid_argument', 'x')).name).toBe('ConfigError');
  });
});
