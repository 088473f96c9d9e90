// Mounts the Svelte app and registers the service worker that lets it open and query offline.
import { mount } from 'svelte';
import { getEngine } from './lib/engine.ts';
import { appUpdate } from './state/AppUpdate.svelte.ts';

// When the app's entry began to run: a part of start-up `npm run bench` reports.
performance.mark('dinobase:script');
// The engine's worker first (DuckDB's compile starts in it), then the app's own bundle: the two load side by side.
getEngine();
const { default: App } = await import('./App.svelte');

mount(App, { target: document.getElementById('app')! });

/**
 * Registered after load so precaching (~8 MB of DuckDB-WASM on the wire) never slows the first open; the
 * SW is only built for production (`npm run dev` has none).
 */
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  const register = () =>
    navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .then((registration) => appUpdate.watch(registration))
      .catch((error: unknown) => {
        console.warn('Offline support is unavailable: the service worker did not register.', error);
      });
  if (document.readyState === 'complete') void register();
  else window.addEventListener('load', () => void register(), { once: true });
}
