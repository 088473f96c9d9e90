// Lint rules for the whole repo: strict TypeScript, Svelte 5, and the one-importer rules for DuckDB-WASM and native DuckDB.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/** Native DuckDB stays in one driver module, as DuckDB-WASM stays in worker/duckdb/. */
const NATIVE_DUCKDB = {
  group: ['@duckdb/node-api', '@duckdb/node-api/*', '@duckdb/node-bindings*'],
  message: 'Only worker/duckdb/native*.ts imports native DuckDB; depend on worker/duckdb/types.ts instead.',
};

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/'] },
  js.configs.recommended,
  ...ts.configs.strict,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@duckdb/duckdb-wasm', '@duckdb/duckdb-wasm/*'],
              message: 'Only worker/duckdb/ imports DuckDB-WASM; depend on worker/duckdb/types.ts instead.',
            },
            NATIVE_DUCKDB,
          ],
        },
      ],
    },
  },
  {
    files: ['worker/duckdb/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['worker/duckdb/**'],
    ignores: ['worker/duckdb/native*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NATIVE_DUCKDB] }] },
  },
  // The benchmark's baseline is raw node-api.
  { files: ['bench/native.ts'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@duckdb/*',
                '**/worker/*',
                '!**/worker/api.ts',
                '!**/worker/values.ts',
                '!**/worker/errors.ts',
                '!**/worker/comlink.ts',
              ],
              message: 'web/ reaches the engine only through Comlink.Remote<EngineApi> (worker/api.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);
