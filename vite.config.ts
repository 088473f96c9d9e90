// Builds the Svelte app and the engine worker; precompresses large assets so the proxy serves them small.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** The Hono server `npm run dev` forwards API calls to. */
const DEV_API = process.env.DINOBASE_API ?? 'http://127.0.0.1:8787';

const COMPRESSIBLE = /\.(js|mjs|css|html|wasm|json|svg)$/;

/** DuckDB's eh.wasm is 34 MB raw and ~8 MB compressed: ship .br and .gz siblings for serveStatic. */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'dinobase-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true })).filter((f) => COMPRESSIBLE.test(f));
      await Promise.all(
        files.map(async (file) => {
          const path = join(outDir, file);
          const data = await readFile(path);
          if (data.byteLength < 1024) return;
          const [br, gz] = await Promise.all([
            promisify(brotliCompress)(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
            promisify(gzip)(data, { level: 6 }),
          ]);
          await Promise.all([writeFile(`${path}.br`, br), writeFile(`${path}.gz`, gz)]);
        }),
      );
    },
  };
}

export default defineConfig({
  plugins: [svelte(), precompress()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // The benchmark harness page ships beside the app so `npm run bench` measures the production build.
    rollupOptions: { input: { main: 'index.html', bench: 'bench/page.html' } },
  },
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm'] },
  // `npm run dev` talks to a running `npm run serve` for sources, credentials and the relay.
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(
      ['/api', '/sandbox', '/login'].map((path) => [
        path,
        { target: DEV_API, changeOrigin: true, headers: { origin: DEV_API } },
      ]),
    ),
  },
});
