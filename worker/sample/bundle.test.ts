// The sample generator stays out of the engine worker's code: nothing the engine's chunk imports statically reaches it.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Relative modules `file` imports at load time; `import type` and dynamic `import()` load nothing. */
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm),
    ...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
  ].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !file.endsWith('.ts')) return;
    seen.add(file);
    for (const next of staticImports(file)) visit(next);
  };
  visit(entry);
  return seen;
}

describe('the engine worker bundle', () => {
  it('loads the sample generator only when asked (a lazy chunk), not at start', () => {
    // worker/main.ts starts DuckDB, then imports the engine (tab-engine.ts) as a chunk of its own.
    const entry = [...reachable(resolve(root, 'worker/main.ts'))].map((f) => relative(root, f));
    expect(entry).not.toContain('worker/service.ts');
    const files = [...reachable(resolve(root, 'worker/tab-engine.ts'))].map((f) => relative(root, f));
    expect(files).toContain('worker/sample/load.ts');
    expect(files).toContain('worker/service.ts');
    expect(files.filter((f) => f.startsWith('worker/sample/') && f !== 'worker/sample/load.ts')).toEqual([]);
  });
});
