// Builds the Svelte app, the engine worker and the offline service worker; precompresses large assets for the proxy.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

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

/** The server's own routes: never answered from the app-shell cache, online or offline. */
const SERVER_ROUTES = [/^\/api(\/|$)/, /^\/sandbox(\/|$)/, /^\/login(\/|\?|$)/, /^\/bench(\/|$)/];

/**
 * The service worker precaches the app shell, the engine worker and DuckDB-WASM, so after one online visit
 * the app opens and queries its OPFS data offline. The proxy serves .br/.gz siblings; the SW's fetch gets
 * them decoded, so the cache holds plain bytes and only the raw size counts against the limit below.
 */
function offline(): Plugin[] {
  return VitePWA({
    registerType: 'prompt',
    // web/main.ts registers it once the page has loaded, so the precache never competes with the first open.
    injectRegister: false,
    // With DINOBASE_TOKEN the manifest sits behind the login cookie.
    useCredentials: true,
    manifest: {
      name: 'Dinobase',
      short_name: 'Dinobase',
      description: 'Sync SaaS data into DuckDB in your browser and query it offline.',
      id: '/',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      theme_color: '#1971c2',
      background_color: '#ffffff',
      icons: [
        { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
    },
    includeAssets: ['icons/icon.svg', 'icons/apple-touch-icon.png'],
    workbox: {
      // Icons come from the manifest and includeAssets; the .br/.gz siblings are the server's business.
      globPatterns: ['index.html', 'assets/**/*.{js,css,wasm}'],
      // A bench-mode build holds the benchmark harness, which is not part of the app. The bare start-up page's
      // scripts (assets/bare-*) are precached like the app's, so that P3 compares the two on equal terms. The
      // opt-in blocking driver (`?duckdb=blocking`, 1.2 MB of bindings) is experimental: not fetched for everyone.
      globIgnores: ['bench/**', 'assets/bench-*', 'assets/blocking-browser-*'],
      // DuckDB's eh.wasm is ~34 MB raw.
      maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      navigateFallback: '/index.html',
      navigateFallbackDenylist: SERVER_ROUTES,
      // No runtime caching at all: credentials, the relay and the sandboxes always go to the network.
      runtimeCaching: [],
      cleanupOutdatedCaches: true,
      clientsClaim: true,
      // A new version waits until the user reloads into it (web/state/AppUpdate.svelte.ts): activating it under
      // an open tab would drop the old precache, and that tab's next lazily loaded chunk with it.
      skipWaiting: false,
    },
  });
}

/**
 * DuckDB-WASM's package exports map `./blocking` to its Node build only; the browser's blocking build (the opt-in
 * `?duckdb=blocking` driver, worker/duckdb/blocking-browser.ts, and the bench's probe) is reached by path.
 * tsconfig.json maps its types.
 */
const BLOCKING_BROWSER = '@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs';

/**
 * `npm run build` ships the app alone. `vite build --mode bench` (npm run build:bench) adds the benchmark harness
 * pages, so `npm run bench` and the e2e suites measure and drive the same app from one origin.
 */
export default defineConfig(({ mode }) => ({
  plugins: [svelte(), precompress(), ...offline()],
  worker: { format: 'es' },
  resolve: {
    alias: [
      {
        find: BLOCKING_BROWSER,
        replacement: fileURLToPath(new URL(`./node_modules/${BLOCKING_BROWSER}`, import.meta.url)),
      },
    ],
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        main: 'index.html',
        ...(mode === 'bench' ? { bench: 'bench/page.html', bare: 'bench/bare.html' } : {}),
      },
    },
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
}));
