// Lint rules for the whole repo: strict TypeScript, Svelte 5, the folder import table and the one-importer rules for DuckDB-WASM and native DuckDB.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript-eslint';

const ROOT = dirname(fileURLToPath(import.meta.url));

/**
 * What each top-level folder may import from the others: a folder or a file, `(types)` for `import type` only; its
 * own folder is always open. Packages are not in the table; `common/` is platform-free, so no Node built-ins either.
 */
const BOUNDARIES = {
  common: [],
  worker: ['common'],
  web: [
    'common',
    'worker/api.ts (types)',
    'worker/errors.ts',
    'worker/comlink.ts',
    'worker/values.ts',
    // The agent tools' names, descriptions and zod schemas (platform-free), for WebMCP.
    'worker/agent/specs.ts',
    'proxy/contract.ts (types)',
  ],
  // The sandboxes serve the sample dataset; the relay applies the connectors' auth; the home is shared.
  proxy: ['common', 'worker/connectors', 'worker/sample', 'worker/home.ts'],
  // The headless side composes the engine with the proxy's credential store.
  node: ['common', 'worker', 'proxy'],
};
/** Test files may also use the shared test kits. */
const TEST_EXTRAS = ['test', 'worker/testing.ts'];
const TEST_FILE = /\.(test|e2e)\.ts$/;
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

const TYPES = ' (types)';
const toPosix = (path) => path.split(sep).join('/');
const within = (path, entry) => path === entry || path.startsWith(`${entry}/`);

/** Whether an import or export brings in types only (`import type`, or every specifier marked `type`). */
function typesOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** Reports every import (static, re-export or dynamic with a literal) that crosses the table. */
const importsRule = {
  meta: {
    type: 'problem',
    schema: [],
    docs: {
      description: 'Imports between top-level folders follow the BOUNDARIES table in eslint.config.js.',
    },
  },
  create(context) {
    const file = toPosix(relative(ROOT, context.filename));
    const folder = file.split('/')[0];
    const allowed = BOUNDARIES[folder];
    if (!allowed) return {};
    const open = TEST_FILE.test(file) ? [...allowed, ...TEST_EXTRAS] : allowed;
    const check = (node) => {
      const source = node.source;
      if (!source || typeof source.value !== 'string') return;
      const spec = source.value;
      if (folder === 'common' && NODE_BUILTINS.has(spec)) {
        context.report({ node: source, message: `common/ is platform-free and may not import ${spec}.` });
        return;
      }
      if (!spec.startsWith('.')) return;
      const target = toPosix(relative(ROOT, resolve(dirname(context.filename), spec)));
      const top = target.split('/')[0];
      if (top === folder || !(top in BOUNDARIES)) return;
      const types = typesOnly(node);
      const fits = (entry) =>
        entry.endsWith(TYPES)
          ? types && within(target, entry.slice(0, -TYPES.length))
          : within(target, entry);
      if (open.some(fits)) return;
      const list = open.length ? open.join(', ') : 'nothing outside common/';
      context.report({ node: source, message: `${folder}/ may not import ${target} (allowed: ${list}).` });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

/** Native DuckDB stays in one driver module, as DuckDB-WASM stays in worker/duckdb/. */
const NATIVE_DUCKDB = {
  group: ['@duckdb/node-api', '@duckdb/node-api/*', '@duckdb/node-bindings*'],
  message: 'Only worker/duckdb/native*.ts imports native DuckDB; depend on worker/duckdb/types.ts instead.',
};

/** DuckDB-WASM's blocking bindings (DuckDB on the calling thread) stay in their driver's modules too. */
const BLOCKING_DUCKDB = {
  group: ['@duckdb/duckdb-wasm/blocking', '@duckdb/duckdb-wasm/dist/*blocking*'],
  message:
    "Only worker/duckdb/blocking*.ts imports DuckDB-WASM's blocking bindings; depend on worker/duckdb/types.ts instead.",
};

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/'] },
  js.configs.recommended,
  ...ts.configs.strict,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { boundaries: { rules: { imports: importsRule } } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'boundaries/imports': 'error',
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
    ignores: ['worker/duckdb/native*.ts', 'worker/duckdb/blocking*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NATIVE_DUCKDB, BLOCKING_DUCKDB] }] },
  },
  {
    files: ['worker/duckdb/native*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [BLOCKING_DUCKDB] }] },
  },
  {
    files: ['worker/duckdb/blocking*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NATIVE_DUCKDB] }] },
  },
  // The benchmark's baseline and the headless sync's floor are raw node-api; its P1 probe runs DuckDB-WASM's blocking bindings itself.
  {
    files: [
      'bench/native.ts',
      'bench/drivers.ts',
      'bench/export.ts',
      'bench/blocking-probe.ts',
      'bench/bare-load.ts',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);
