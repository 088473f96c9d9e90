// The proxy's HTTP contract as types, shared by the server, the worker's relay transport and the UI.

/** What any client may see about a source: never a secret value. */
export interface SourceSummary {
  name: string;
  type: string;
  /** The upstream API the relay forwards to. */
  base_url: string;
  sandbox: boolean;
  credentials_set: boolean;
  /** Credential fields still unset. */
  missing: string[];
  /** Values of the connector's non-secret fields (an account id, a domain), usable as path placeholders. */
  settings: Record<string, string>;
  /** Where the source is defined: the credentials file, environment variables, or the built-in sandbox. */
  origin: 'file' | 'env' | 'sandbox';
  /** Fields whose value comes from a DINOBASE_<SOURCE>_<FIELD> variable. */
  env_overrides: string[];
}

/** PUT /api/sources/:name/credentials. Omitted credential fields keep their stored value; null clears one. */
export interface SourceInput {
  type: string;
  credentials?: Record<string, string | null>;
  /** Another of the connector's own hosts (an EU data centre); anything else is refused. */
  base_url?: string | null;
  /** Point the source at this server's built-in sandbox API. */
  sandbox?: boolean;
}

/** Every error the proxy returns. */
export interface ErrorBody {
  error: string;
  code: string;
}
