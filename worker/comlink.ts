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

/** Where a deserialized options object keeps the callback proxies it received, to release them later. */
const RECEIVED = Symbol('dinobase.receivedCallbacks');

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
      const remotes = callbacks.map((key) => (options[key] = Comlink.wrap(options[key] as MessagePort)));
      Object.defineProperty(options, RECEIVED, { value: remotes });
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

function receivedCallbacks(args: unknown[]): Comlink.Remote<object>[] {
  return args.flatMap((arg) =>
    typeof arg === 'object' && arg !== null && RECEIVED in arg
      ? ((arg as { [RECEIVED]: Comlink.Remote<object>[] })[RECEIVED] ?? [])
      : [],
  );
}

/**
 * `api` as exposed over Comlink: once a call ends (resolved, rejected or thrown), the callbacks that came
 * nested in its options are released, which closes their MessagePort on both sides. The methods in `keep`
 * hold on to theirs past the call (a watcher) and release them themselves.
 */
export function releasingCallbacks<T extends object>(api: T, keep: readonly (keyof T)[] = []): T {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || keep.includes(prop as keyof T)) return value;
      return (...args: unknown[]) => {
        const release = () => {
          for (const remote of receivedCallbacks(args)) remote[Comlink.releaseProxy]();
        };
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          release();
          throw error;
        }
        void Promise.resolve(result).then(release, release);
        return result;
      };
    },
  });
}
