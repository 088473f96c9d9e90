// Server-side sources and their credentials: a JSON file under DINOBASE_HOME, env overrides, and the sandboxes.
import type { ConnectorRegistry } from '../worker/connectors/registry.ts';
import type { ConnectorSpec } from '../worker/connectors/spec.ts';
import { SourceInput, type SourceSummary } from './contract.ts';
import { hasControlChars, ProxyError } from './errors.ts';

export type { SourceSummary };

/** Where the credentials file lives; the Node adapter writes it atomically with mode 0600. */
export interface StoreBackend {
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
  /** For messages: the file path, never its contents. */
  readonly location: string;
}

interface Entry {
  type: string;
  base_url: string | null;
  sandbox: boolean;
  credentials: Record<string, string>;
  updated_at: string;
}

interface StoreFile {
  version: 1;
  sources: Record<string, Entry>;
}

/** A source as the relay needs it: upstream base, allowed hosts and the secret values. Shared: read-only. */
export interface ResolvedSource {
  readonly summary: SourceSummary;
  readonly spec: ConnectorSpec;
  readonly baseUrl: URL;
  readonly allowedHosts: readonly string[];
  readonly credentials: Readonly<Record<string, string>>;
}

export interface SandboxSources {
  /** This server's own origin (known once it listens), where /sandbox/<type>/ is served. */
  origin(): string;
  credentials: Record<string, Record<string, string>>;
}

export interface SourceStoreOptions {
  backend: StoreBackend;
  connectors: ConnectorRegistry;
  env?: Record<string, string | undefined>;
  sandbox?: SandboxSources;
  now?: () => Date;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Schema names the engine keeps for itself, plus the words DINOBASE_* settings use. */
const RESERVED = ['main', 'information_schema', 'pg_catalog', 'temp', 'system', '_dinobase', 'home', 'token'];
const MAX_VALUE = 8192;

/** Which refusal code a malformed field of a PUT body earns. */
const INPUT_CODES: Record<string, string> = {
  type: 'invalid_type',
  credentials: 'invalid_credentials',
  base_url: 'invalid_base_url',
  sandbox: 'invalid_sandbox',
};

/** A PUT body checked against the contract; the message names the field, never its value (a half-typed key). */
export function parseSourceInput(body: unknown): SourceInput {
  const parsed = SourceInput.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.map(String).join('.');
  throw new ProxyError(
    400,
    INPUT_CODES[String(issue.path[0])] ?? 'invalid_body',
    `Invalid ${where || 'body'}: ${issue.message}.`,
  );
}

export function checkSourceName(name: string): void {
  if (!NAME.test(name) || RESERVED.includes(name)) {
    throw new ProxyError(
      400,
      'invalid_source_name',
      `Invalid source name '${name.slice(0, 64)}': use lowercase letters, digits and _ (it becomes a schema name), starting with a letter.`,
    );
  }
}

export const envKey = (name: string, field: string) => `DINOBASE_${name}_${field}`.toUpperCase();

export class SourceStore {
  #backend: StoreBackend;
  #connectors: ConnectorRegistry;
  #env: Record<string, string | undefined>;
  #sandbox: SandboxSources | undefined;
  #now: () => Date;
  #file: StoreFile | null = null;
  #writing: Promise<void> = Promise.resolve();
  /**
   * resolve() answers, kept until a put() or delete() changes the file: the relay asks once per page, and
   * re-deriving a source (env scan, URL parsing) cost more than the relay's own work. The env is a snapshot
   * and the connectors are fixed, so only the file and the sandbox's origin (known once listening) can change.
   */
  #resolved = new Map<string, ResolvedSource>();
  #resolvedOrigin: string | undefined;
  /** Bumped by every change, so a resolve() that read the file before a put() does not cache what it saw. */
  #generation = 0;
  #envDeclared: Map<string, string> | undefined;

  constructor(options: SourceStoreOptions) {
    this.#backend = options.backend;
    this.#connectors = options.connectors;
    // A snapshot: reading process.env on every relayed request costs more than the request itself.
    this.#env = { ...(options.env ?? {}) };
    this.#sandbox = options.sandbox;
    this.#now = options.now ?? (() => new Date());
  }

  get location(): string {
    return this.#backend.location;
  }

  async #load(): Promise<StoreFile> {
    if (this.#file) return this.#file;
    const text = await this.#backend.read();
    let parsed: StoreFile = { version: 1, sources: {} };
    if (text) {
      try {
        parsed = JSON.parse(text) as StoreFile;
      } catch {
        throw new ProxyError(
          500,
          'store_unreadable',
          `The credentials file ${this.#backend.location} is not valid JSON; fix or remove it.`,
        );
      }
      if (!parsed || typeof parsed.sources !== 'object' || parsed.sources === null) {
        parsed = { version: 1, sources: {} };
      }
    }
    this.#file = parsed;
    return parsed;
  }

  /** Env-defined sources: DINOBASE_<NAME>_TYPE, or any field variable of a source named after its connector. */
  #envSources(): Map<string, string> {
    this.#envDeclared ??= this.#scanEnv();
    return this.#envDeclared;
  }

  #scanEnv(): Map<string, string> {
    const found = new Map<string, string>();
    for (const [key, value] of Object.entries(this.#env)) {
      const match = /^DINOBASE_([A-Z][A-Z0-9_]*)_TYPE$/.exec(key);
      if (match && value) found.set(match[1]!.toLowerCase(), value);
    }
    for (const type of this.#connectors.names()) {
      const spec = this.#connectors.get(type);
      if (spec.credentials.some((f) => this.#env[envKey(type, f.name)])) found.set(type, type);
    }
    return found;
  }

  async #entries(): Promise<Map<string, { entry: Entry; origin: SourceSummary['origin'] }>> {
    const file = await this.#load();
    const all = new Map<string, { entry: Entry; origin: SourceSummary['origin'] }>();
    for (const [type, credentials] of Object.entries(this.#sandbox?.credentials ?? {})) {
      all.set(type, {
        entry: { type, base_url: null, sandbox: true, credentials, updated_at: '' },
        origin: 'sandbox',
      });
    }
    for (const [name, type] of this.#envSources()) {
      all.set(name, {
        entry: { type, base_url: null, sandbox: false, credentials: {}, updated_at: '' },
        origin: 'env',
      });
    }
    for (const [name, entry] of Object.entries(file.sources)) all.set(name, { entry, origin: 'file' });
    return all;
  }

  #resolve(name: string, entry: Entry, origin: SourceSummary['origin']): ResolvedSource | null {
    if (!this.#connectors.has(entry.type)) return null;
    const spec = this.#connectors.get(entry.type);
    const credentials = { ...entry.credentials };
    const overrides: string[] = [];
    // Keys the environment declares for one type (DINOBASE_<NAME>_TYPE, or a connector's own name) are never
    // applied to a file entry of another type: a client re-typing the source must not send them to another vendor.
    const declared = this.#envSources().get(name);
    const envApplies = declared === undefined || declared === entry.type;
    for (const field of spec.credentials) {
      const value = envApplies ? this.#env[envKey(name, field.name)] : undefined;
      if (value) {
        credentials[field.name] = value;
        overrides.push(field.name);
      }
    }
    let baseUrl: URL;
    let allowedHosts = spec.client.allowed_hosts;
    // The operator's variable may point anywhere (a staging API); a client's base_url was checked in put().
    const configured = this.#env[envKey(name, 'base_url')] || entry.base_url;
    if (entry.sandbox && this.#sandbox) {
      baseUrl = new URL(`/sandbox/${entry.type}/`, this.#sandbox.origin());
      allowedHosts = [baseUrl.host];
    } else if (configured && URL.canParse(configured)) {
      baseUrl = new URL(configured);
      if (!allowedHosts.includes(baseUrl.host)) allowedHosts = [baseUrl.host];
    } else {
      baseUrl = new URL(spec.client.base_url);
    }
    if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
    const missing = spec.credentials.filter((f) => !credentials[f.name]).map((f) => f.name);
    const settings = Object.fromEntries(
      spec.credentials
        .filter((f) => !f.secret && credentials[f.name])
        .map((f) => [f.name, credentials[f.name]!]),
    );
    return {
      summary: {
        name,
        type: entry.type,
        base_url: baseUrl.toString(),
        sandbox: entry.sandbox && this.#sandbox !== undefined,
        credentials_set: missing.length === 0,
        missing,
        settings,
        origin,
        env_overrides: overrides,
      },
      spec,
      baseUrl,
      allowedHosts,
      credentials,
    };
  }

  async list(): Promise<SourceSummary[]> {
    const out: SourceSummary[] = [];
    for (const [name, { entry, origin }] of await this.#entries()) {
      const resolved = this.#resolve(name, entry, origin);
      if (resolved) out.push(resolved.summary);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async resolve(name: string): Promise<ResolvedSource | null> {
    const origin = this.#sandbox?.origin();
    if (origin !== this.#resolvedOrigin) {
      this.#resolved.clear();
      this.#resolvedOrigin = origin;
    }
    const cached = this.#resolved.get(name);
    if (cached) return cached;
    const generation = this.#generation;
    const found = (await this.#entries()).get(name);
    const resolved = found ? this.#resolve(name, found.entry, found.origin) : null;
    // Unknown names are not remembered: a client probing names must not grow the map.
    if (resolved && generation === this.#generation) this.#resolved.set(name, resolved);
    return resolved;
  }

  /** Stores (or updates) a source; omitted credential fields keep their stored value, null clears one. */
  async put(name: string, input: SourceInput): Promise<SourceSummary> {
    checkSourceName(name);
    const file = await this.#load();
    const previous = Object.hasOwn(file.sources, name) ? file.sources[name] : undefined;
    const type = input.type ?? previous?.type;
    if (type === undefined || !this.#connectors.has(type)) {
      throw new ProxyError(
        400,
        'invalid_type',
        `Unknown source type '${String(type).slice(0, 64)}'. Available: ${this.#connectors.names().join(', ')}.`,
      );
    }
    const spec = this.#connectors.get(type);
    let credentials: Record<string, string> = previous?.type === type ? { ...previous.credentials } : {};
    if (input.credentials !== undefined) {
      const fields = spec.credentials.map((f) => f.name);
      for (const [field, value] of Object.entries(input.credentials)) {
        if (!fields.includes(field)) {
          throw new ProxyError(
            400,
            'invalid_credentials',
            `Unknown credential field '${field.slice(0, 64)}' for ${type}. Expected: ${fields.join(', ')}.`,
          );
        }
        if (value === null || value === '') {
          credentials = Object.fromEntries(Object.entries(credentials).filter(([k]) => k !== field));
          continue;
        }
        // The message names the field, never the value: it may be a half-typed secret.
        if (value.length > MAX_VALUE || hasControlChars(value)) {
          throw new ProxyError(
            400,
            'invalid_credentials',
            `Credential '${field}' for ${type} must be a single-line string of at most ${MAX_VALUE} characters.`,
          );
        }
        credentials[field] = value;
      }
    }
    // A source on this server's sandbox stays there until the client says otherwise: saving a key for it must
    // not quietly point it at the live vendor API.
    const current = (await this.#entries()).get(name)?.entry;
    const onSandbox = current?.sandbox === true && current.type === type;
    const sandbox = input.sandbox ?? (onSandbox && input.base_url === undefined);
    if (sandbox && !this.#sandbox?.credentials[type]) {
      throw new ProxyError(
        400,
        'no_sandbox',
        `This server runs no ${type} sandbox (DINOBASE_SANDBOX is off).`,
      );
    }
    const baseUrl = sandbox ? null : checkBaseUrl(input.base_url ?? previous?.base_url ?? null, spec);
    const entry: Entry = {
      type,
      base_url: baseUrl,
      sandbox,
      credentials,
      updated_at: this.#now().toISOString(),
    };
    // Environment variables may supply a field; whatever is still missing would only fail every sync.
    const missing = this.#resolve(name, entry, 'file')?.summary.missing ?? [];
    if (missing.length > 0) {
      throw new ProxyError(
        400,
        'missing_credentials',
        `Source '${name}' (${type}) needs ${missing.join(', ')}; nothing was saved. To remove a source's keys, DELETE its credentials.`,
      );
    }
    file.sources[name] = entry;
    this.#changed();
    await this.#save(file);
    return (await this.resolve(name))!.summary;
  }

  async delete(name: string): Promise<boolean> {
    const file = await this.#load();
    if (!Object.hasOwn(file.sources, name)) return false;
    file.sources = Object.fromEntries(Object.entries(file.sources).filter(([k]) => k !== name));
    this.#changed();
    await this.#save(file);
    return true;
  }

  /** Every secret value this server holds, so logs and errors can be scrubbed of them. */
  async secretValues(): Promise<string[]> {
    const values = new Set<string>();
    for (const [name, { entry, origin }] of await this.#entries()) {
      const resolved = this.#resolve(name, entry, origin);
      if (!resolved) continue;
      for (const field of resolved.spec.credentials) {
        const value = resolved.credentials[field.name];
        if (field.secret && value && value.length >= 4) values.add(value);
      }
    }
    return [...values];
  }

  #changed(): void {
    this.#generation++;
    this.#resolved.clear();
  }

  #save(file: StoreFile): Promise<void> {
    // Writes are serialised so two PUTs never interleave their renames.
    const run = this.#writing.then(() => this.#backend.write(`${JSON.stringify(file, null, 2)}\n`));
    this.#writing = run.catch(() => undefined);
    return run;
  }
}

/** A base_url from a client must stay on the connector's own hosts (an EU data centre, not an arbitrary URL). */
function checkBaseUrl(value: unknown, spec: ConnectorSpec): string | null {
  if (value === null || value === undefined || value === '') return null;
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : null;
  if (!url || url.protocol !== 'https:' || url.username || url.password) {
    throw new ProxyError(400, 'invalid_base_url', `base_url must be an https:// URL without user info.`);
  }
  if (!spec.client.allowed_hosts.includes(url.host)) {
    throw new ProxyError(
      400,
      'invalid_base_url',
      `base_url host '${url.host}' is not one of ${spec.name}'s hosts (${spec.client.allowed_hosts.join(', ')}). ` +
        `Other hosts can only be set by the server's operator (DINOBASE_${spec.name.toUpperCase()}_BASE_URL).`,
    );
  }
  return url.toString();
}
