// Credentials in Node: the proxy's own store ($DINOBASE_HOME/credentials.json, 0600, DINOBASE_<SOURCE>_<FIELD> overrides), applied to direct requests only.
import { loadConnectors } from '../proxy/connectors.ts';
import type { SourceInput, SourceSummary } from '../proxy/contract.ts';
import { SourceStore } from '../proxy/sources.ts';
import type { ConnectorRegistry } from '../worker/connectors/registry.ts';
import { fileBackend } from '../proxy/file-store.ts';
import { defaultHome } from '../worker/home.ts';
import { directTransport, type Transport } from '../worker/sync/transport.ts';

export interface CredentialStoreOptions {
  /** Default `$DINOBASE_HOME`, else `~/.dinobase`. */
  home?: string;
  /** Where `DINOBASE_<SOURCE>_<FIELD>` overrides come from; default `process.env`. */
  env?: Record<string, string | undefined>;
  connectors?: ConnectorRegistry;
}

/**
 * The same file and variables the proxy reads, so a key stored by `npm start` (or exported in the shell) works
 * for scripts, the CLI and the scheduler alike. Values only ever leave it into a vendor request.
 */
export class CredentialStore {
  readonly #store: SourceStore;

  constructor(options: CredentialStoreOptions = {}) {
    const env = options.env ?? process.env;
    this.#store = new SourceStore({
      backend: fileBackend(options.home ?? defaultHome(env)),
      connectors: options.connectors ?? loadConnectors(),
      env,
    });
  }

  /** The credentials file's path (never its contents). */
  get location(): string {
    return this.#store.location;
  }

  /** A source's credentials with the environment's overrides applied, or undefined for an unknown source. */
  async credentials(source: string): Promise<Record<string, string> | undefined> {
    const resolved = await this.#store.resolve(source);
    return resolved ? { ...resolved.credentials } : undefined;
  }

  /** The API base the store configures for a source (`DINOBASE_<SOURCE>_BASE_URL`, or its stored base_url). */
  async baseUrl(source: string): Promise<string | undefined> {
    return (await this.#store.resolve(source))?.baseUrl.toString();
  }

  /** Stores or updates a source's credentials (written 0600 inside a 0700 directory). */
  put(name: string, input: SourceInput): Promise<SourceSummary> {
    return this.#store.put(name, input);
  }

  delete(name: string): Promise<boolean> {
    return this.#store.delete(name);
  }

  /** Names, types and which fields are set; never a secret value. */
  list(): Promise<SourceSummary[]> {
    return this.#store.list();
  }

  /** Every stored secret, so anything printed can be scrubbed of them. */
  secretValues(): Promise<string[]> {
    return this.#store.secretValues();
  }
}

/**
 * Straight to each vendor (no relay), with the store's credentials and base URL for any source whose caller
 * did not pass its own.
 */
export function storeTransport(store: CredentialStore, fetchImpl: typeof fetch): Transport {
  const direct = directTransport(fetchImpl);
  return {
    mode: 'direct',
    fetch: fetchImpl,
    async route(target) {
      return direct.route({
        ...target,
        baseUrl: target.baseUrl ?? (await store.baseUrl(target.source)),
        credentials: target.credentials ?? (await store.credentials(target.source)),
      });
    },
  };
}
