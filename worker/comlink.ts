// Comlink wiring shared by both sides of the worker boundary: named errors keep their class and code, and
// callbacks nested in an options object (`{onProgress: Comlink.proxy(fn)}`) cross as live proxies.
import * as Comlink from 'comlink';
import { deserializeError, serializeError, type SerializedError } from './errors.ts';

interface Thrown {
  value: unknown;
}

/** Comlink wraps a thrown value with its private `Symbol("Comlink.thrown")`, which it does not export. */
function isThrown(value: unknown): value is Thrown {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getOwnPropertySymbols(value).some((s) => s.description === 'Comlink.thrown')
  );
}

let registered = false;

type Callback = ((...args: never[]) => unknown) & { [Comlink.proxyMarker]?: boolean };

function isProxiedCallback(value: unknown): value is Callback {
  return typeof value === 'function' && Comlink.proxyMarker in value;
}

function isOptionsWithCallbacks(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.values(value).some(isProxiedCallback)
  );
}

interface SerializedOptions {
  values: Record<string, unknown>;
  callbacks: string[];
}

/**
 * Comlink proxies only top-level arguments; our methods take one options object, so its proxied callbacks
 * each get their own MessagePort. Also replaces Comlink's error handler, which drops `code` and the class.
 */
export function registerTransferHandlers(): void {
  if (registered) return;
  registered = true;
  Comlink.transferHandlers.set('options-with-callbacks', {
    canHandle: isOptionsWithCallbacks,
    serialize: (options: Record<string, unknown>): [SerializedOptions, Transferable[]] => {
      const values: Record<string, unknown> = {};
      const callbacks: string[] = [];
      const ports: Transferable[] = [];
      for (const [key, value] of Object.entries(options)) {
        if (!isProxiedCallback(value)) {
          values[key] = value;
          continue;
        }
        const { port1, port2 } = new MessageChannel();
        Comlink.expose(value, port1);
        values[key] = port2;
        callbacks.push(key);
        ports.push(port2);
      }
      return [{ values, callbacks }, ports];
    },
    deserialize: ({ values, callbacks }: SerializedOptions) => {
      const options = { ...values };
      for (const key of callbacks) options[key] = Comlink.wrap(options[key] as MessagePort);
      return options;
    },
  });
  Comlink.transferHandlers.set('throw', {
    canHandle: isThrown,
    serialize: ({ value }: Thrown) => [{ error: serializeError(value) }, []],
    deserialize: (serialized: { error: SerializedError }) => {
      throw deserializeError(serialized.error);
    },
  });
}
