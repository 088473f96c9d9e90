// DuckDB-WASM's nested worker, spawned on a small module graph: its wasm compile starts as the worker does.
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { chunkPortScript } from './chunk-port.ts';

/** duckdb-wasm's console warning when it instantiates without TransformStream, which we do on purpose. */
export const NO_PROGRESS_WARNING =
  'instantiating without progress handler since transform streams are unavailable';

/**
 * Runs in DuckDB's worker before duckdb-wasm loads (serialised into its script, so it may use nothing from
 * this module). Defence in depth beside the SQL lockdown (lockdown.ts): the worker may fetch its wasm and
 * nothing else, and has no XMLHttpRequest, which is how duckdb-wasm's runtime reads http(s):// and s3:// files
 * and how extensions would arrive.
 *
 * Without `TransformStream`, duckdb-wasm fetches the wasm itself instead of piping it through a progress
 * stream into a synthesized Response, which V8 never code-caches (every start compiled 34 MB again, ~1.3 s);
 * it then warns once on every load, which says nothing to anyone here.
 *
 * The compile starts here, before duckdb-wasm's 770 KB script is loaded and asked to instantiate: its
 * `instantiateStreaming` then takes the module compiled meanwhile, and its own fetch of the wasm gets an empty
 * answer it never reads (if the early compile failed, the wasm is fetched and compiled again as before).
 */
function duckdbWorkerPrelude(wasm: string, silenced: string): void {
  const scope = self as unknown as Record<string, unknown>;
  scope.TransformStream = undefined;
  scope.XMLHttpRequest = undefined;
  const fetchOnce = self.fetch.bind(self);
  const streaming = WebAssembly.instantiateStreaming.bind(WebAssembly);
  // Marks for network.e2e.ts, which checks that duckdb-wasm took the early module and fetched the wasm once.
  let early: Promise<WebAssembly.Module> | null = WebAssembly.compileStreaming(fetchOnce(wasm));
  early.then(() => performance.mark('dinobase:wasm-compiled')).catch(() => undefined);
  self.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : new URL(String(input), self.location.href).href;
    if (url !== wasm)
      return Promise.reject(new TypeError(`DuckDB's worker fetches nothing but its wasm, not ${url}`));
    return early ? Promise.resolve(new Response(null)) : fetchOnce(input, init);
  };
  (WebAssembly as unknown as Record<string, unknown>).instantiateStreaming = async (
    source: Response | PromiseLike<Response>,
    imports?: WebAssembly.Imports,
  ): Promise<WebAssembly.WebAssemblyInstantiatedSource> => {
    const compiled = early;
    early = null;
    if (!compiled) return streaming(source, imports);
    let module: WebAssembly.Module;
    try {
      module = await compiled;
    } catch {
      return streaming(fetchOnce(wasm), imports);
    }
    performance.mark('dinobase:wasm-taken');
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (args[0] !== silenced) warn(...args);
  };
}

/** The one URL DuckDB's wasm is fetched from, so the service worker, HTTP cache and V8's code cache all apply. */
export function duckdbWasmUrl(): string {
  return new URL(ehWasmUrl, location.href).href;
}

/** DuckDB's nested worker, fenced by the prelude above; exported for the bare start-up page of `npm run bench`. */
export function duckdbWorker(wasm: string): Worker {
  const script = new URL(ehWorkerUrl, location.href).href;
  const prelude = `(${duckdbWorkerPrelude.toString()})(${JSON.stringify(wasm)}, ${JSON.stringify(NO_PROGRESS_WARNING)});`;
  const source = `${prelude}\n${chunkPortScript()}\nimportScripts(${JSON.stringify(script)});`;
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}
