// The proxy's HTTP contract, declared once as zod schemas (types by z.infer) for the server and the UI.
import { z } from 'zod';

/** What any client may see about a source: never a secret value. */
export const SourceSummary = z.object({
  name: z.string(),
  type: z.string(),
  /** The upstream API the relay forwards to. */
  base_url: z.string(),
  sandbox: z.boolean(),
  credentials_set: z.boolean(),
  /** Credential fields still unset. */
  missing: z.array(z.string()),
  /** Values of the connector's non-secret fields (an account id, a domain), usable as path placeholders. */
  settings: z.record(z.string(), z.string()),
  /** Where the source is defined: the credentials file, environment variables, or the built-in sandbox. */
  origin: z.enum(['file', 'env', 'sandbox']),
  /** Fields whose value comes from a DINOBASE_<SOURCE>_<FIELD> variable. */
  env_overrides: z.array(z.string()),
});
export type SourceSummary = z.infer<typeof SourceSummary>;

/**
 * PUT /api/sources/:name/credentials. Omitted credential fields keep their stored value; null or '' clears
 * one. A source pointed at this server's sandbox stays there unless `sandbox: false` or a `base_url` says
 * otherwise.
 */
export const SourceInput = z.object({
  /** The connector; may be omitted when updating a stored source. */
  type: z.string().optional(),
  credentials: z
    .unknown()
    // JSON.parse keeps "__proto__" as an own key, which a zod record drops silently: refuse it instead.
    .refine(
      (value) => !(value && typeof value === 'object' && Object.hasOwn(value, '__proto__')),
      'a credential field cannot be named __proto__',
    )
    .pipe(z.record(z.string(), z.string().nullable()))
    .optional(),
  /** Another of the connector's own hosts (an EU data centre); anything else is refused. */
  base_url: z.string().nullable().optional(),
  /** Point the source at this server's built-in sandbox API. */
  sandbox: z.boolean().optional(),
});
export type SourceInput = z.infer<typeof SourceInput>;

/** GET /api/session: whether this server asks for DINOBASE_TOKEN, and whether this browser is logged in. */
export const SessionState = z.object({
  login_required: z.boolean(),
  authenticated: z.boolean(),
  /** `read`: logged in with DINOBASE_READ_TOKEN, which reads only /api/datasets (team data). */
  role: z.enum(['full', 'read']).nullable().optional(),
  /**
   * Whether this server relays agents' calls to a tab (GET /api/agent/channel): false when it runs without /mcp
   * or answers agents headless, so the tab does not open a channel that would only get a 404.
   */
  agent_channel: z.boolean().optional(),
});
export type SessionState = z.infer<typeof SessionState>;

/** Every error the proxy returns. */
export const ErrorBody = z.object({ error: z.string(), code: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The published datasets (`/api/datasets`): one home in common/, since the tab parses them too. */
export { DatasetFile, DatasetList, DatasetManifest, DatasetSummary } from '../common/datasets.ts';
