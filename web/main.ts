// Mounts the Svelte app and registers the service worker that lets it open and query offline.
import { mount } from 'svelte';
import App from './App.svelte';
import { appUpdate } from './state/AppUpdate.svelte.ts';

// When the app's code began to run (its modules are evaluated by now): a part of start-up `npm run bench` reports.
performance.mark('dinobase:script');
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
