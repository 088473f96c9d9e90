// The production build ships the app only; the benchmark harness page is built for `npm run bench` and e2e alone.
import type { ConfigEnv, UserConfig } from 'vite';
import { describe, expect, it } from 'vitest';
import config from '../vite.config.ts';

async function resolved(mode: string): Promise<UserConfig> {
  const env: ConfigEnv = { mode, command: 'build', isSsrBuild: false, isPreview: false };
  return typeof config === 'function' ? await config(env) : await config;
}

const inputs = async (mode: string) => Object.keys((await resolved(mode)).build?.rollupOptions?.input ?? {});

describe('vite.config.ts', () => {
  it('builds only the app for production (npm run build, npm start)', async () => {
    expect(await inputs('production')).toEqual(['main']);
  });

  it('adds the benchmark harness page in bench mode (npm run build:bench)', async () => {
    expect(await inputs('bench')).toEqual(['main', 'bench', 'bare']);
  });
});
