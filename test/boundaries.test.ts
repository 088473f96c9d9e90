// The import boundaries in eslint.config.js bite: one snippet per rule, linted with ESLint's Node API.
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: process.cwd() });
});

/** The boundary and DuckDB messages ESLint reports for `code` placed at `file` (other rules are ignored). */
async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages
    .filter((m) => m.ruleId === 'boundaries/imports' || m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['worker/query/x.ts', "export * from '../../web/lib/time.ts';", 'worker/ may not import web/lib/time.ts'],
    ['worker/x.ts', "export * from '../proxy/sources.ts';", 'worker/ may not import proxy/sources.ts'],
    ['web/lib/x.ts', "export * from '../../worker/db.ts';", 'web/ may not import worker/db.ts'],
    [
      'web/components/X.svelte',
      '<script lang="ts">import \'../../worker/query/engine.ts\';</script>',
      'web/ may not import worker/query/engine.ts',
    ],
    ['web/lib/x.ts', "export * from '../../proxy/sources.ts';", 'web/ may not import proxy/sources.ts'],
    [
      'web/lib/x.ts',
      "export * from '../../worker/agent/tools.ts';",
      'web/ may not import worker/agent/tools.ts',
    ],
    [
      'web/lib/x.ts',
      "export { createEngineService } from '../../worker/api.ts';",
      'web/ may not import worker/api.ts',
    ],
    ['proxy/x.ts', "export * from '../web/lib/time.ts';", 'proxy/ may not import web/lib/time.ts'],
    ['proxy/x.ts', "export * from '../worker/db.ts';", 'proxy/ may not import worker/db.ts'],
    ['proxy/x.ts', "export * from '../worker/testing.ts';", 'proxy/ may not import worker/testing.ts'],
    ['common/x.ts', "export * from '../worker/clock.ts';", 'common/ may not import worker/clock.ts'],
    [
      'common/x.ts',
      "export const f = () => import('../web/lib/time.ts');",
      'common/ may not import web/lib/time.ts',
    ],
    ['common/x.ts', "export * from 'node:fs';", 'common/ is platform-free and may not import node:fs'],
  ])('%s: %s is refused', async (file, code, message) => {
    expect((await problems(file, code)).join('\n')).toContain(message);
  });

  it.each([
    ['worker/query/x.ts', "export * from '../../common/duration.ts';"],
    ['worker/query/x.ts', "export * from '../sql.ts';"],
    ['web/lib/x.ts', "export * from '../../common/duration.ts';"],
    ['web/lib/x.ts', "export type * from '../../worker/api.ts';"],
    ['web/lib/x.ts', "import { type EngineApi } from '../../worker/api.ts'; export type E = EngineApi;"],
    ['web/lib/x.ts', "export * from '../../worker/errors.ts';"],
    ['web/lib/x.ts', "export * from '../../worker/agent/specs.ts';"],
    ['web/lib/x.ts', "export type * from '../../proxy/contract.ts';"],
    ['proxy/x.ts', "export * from '../common/sql-lexer.ts';"],
    ['proxy/x.ts', "export * from '../worker/connectors/auth.ts';"],
    ['proxy/sandbox/x.ts', "export * from '../../worker/sample/dataset.ts';"],
    ['proxy/x.test.ts', "export * from '../worker/testing.ts';"],
    ['common/x.ts', "export * from './duration.ts';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });

  it('keeps DuckDB-WASM behind worker/duckdb/', async () => {
    expect((await problems('worker/query/x.ts', "export * from '@duckdb/duckdb-wasm';")).join()).toContain(
      'Only worker/duckdb/ imports DuckDB-WASM',
    );
    expect(await problems('worker/duckdb/x.ts', "export * from '@duckdb/duckdb-wasm';")).toEqual([]);
  });

  it('keeps each driver in its own modules: native DuckDB in native*.ts, the blocking bindings in blocking*.ts', async () => {
    const blocking = "export * from '@duckdb/duckdb-wasm/blocking';";
    const browserBlocking = "export * from '@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs';";
    const native = "export * from '@duckdb/node-api';";
    const only = (file: string, code: string) => problems(file, code).then((p) => p.join());
    expect(await only('worker/duckdb/driver.ts', blocking)).toContain('Only worker/duckdb/blocking*.ts');
    expect(await only('worker/duckdb/browser.ts', browserBlocking)).toContain(
      'Only worker/duckdb/blocking*.ts',
    );
    expect(await only('worker/duckdb/native.ts', blocking)).toContain('Only worker/duckdb/blocking*.ts');
    expect(await only('worker/duckdb/blocking.ts', native)).toContain('Only worker/duckdb/native*.ts');
    expect(await only('worker/query/x.ts', blocking)).toContain('Only worker/duckdb/ imports DuckDB-WASM');
    expect(await problems('worker/duckdb/blocking-node.ts', blocking)).toEqual([]);
    expect(await problems('worker/duckdb/blocking-browser.ts', browserBlocking)).toEqual([]);
    expect(await problems('worker/duckdb/native.ts', native)).toEqual([]);
  });
});
