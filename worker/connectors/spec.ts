// The connector spec format: plain JSON, validated by zod; strategies are named and looked up in registries.
import { z } from 'zod';
import { durationProblem } from '../../common/duration.ts';
import { ConfigError } from '../errors.ts';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const Json: z.ZodType<unknown> = z.lazy(() =>
  z.union([Scalar, z.null(), z.array(Json), z.record(z.string(), Json)]),
);

export const CredentialField = z.object({
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'credential names are snake_case'),
  description: z.string().default(''),
  /** Secret fields never reach the browser, logs or OPFS. */
  secret: z.boolean().default(true),
});

export const AuthSpec = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bearer'), token: z.string() }),
  z.object({ type: z.literal('basic'), username: z.string(), password: z.string().default('') }),
  z.object({
    type: z.literal('api_key'),
    name: z.string(),
    value: z.string(),
    location: z.enum(['header', 'query']).default('header'),
  }),
  z.object({ type: z.literal('none') }),
]);

export const PaginatorSpec = z.discriminatedUnion('type', [
  /** Stripe: `starting_after=<last record id>` while `has_more` is true. */
  z.object({
    type: z.literal('last_record_cursor'),
    cursor_param: z.string().default('starting_after'),
    record_field: z.string().default('id'),
    has_more_path: z.string().default('has_more'),
  }),
  /** HubSpot and other cursor APIs: a cursor in the body (`paging.next.after`) sent back as a query or body field. */
  z.object({
    type: z.literal('json_cursor'),
    cursor_path: z.string(),
    cursor_param: z.string(),
    location: z.enum(['query', 'body']).default('query'),
  }),
  /** GitHub: follow RFC 5988 `Link: <url>; rel="next"`. */
  z.object({ type: z.literal('header_link'), rel: z.string().default('next') }),
  /** HubSpot's `paging.next.link` and other APIs that put the next page's URL (absolute or relative) in the body. */
  z.object({ type: z.literal('json_link'), link_path: z.string() }),
  z.object({
    type: z.literal('offset'),
    limit: z.number().int().positive(),
    offset_param: z.string().default('offset'),
    limit_param: z.string().default('limit'),
    total_path: z.string().optional(),
  }),
  z.object({
    type: z.literal('page_number'),
    base_page: z.number().int().default(1),
    page_param: z.string().default('page'),
    total_path: z.string().optional(),
  }),
  /** GraphQL Relay: `pageInfo { hasNextPage endCursor }` fed back as the `after` variable. */
  z.object({
    type: z.literal('graphql_relay'),
    page_info_path: z.string(),
    cursor_variable: z.string().default('after'),
  }),
  z.object({ type: z.literal('single_page') }),
]);

export const EndpointSpec = z.object({
  /** Relative to the client base_url; `{field}` placeholders come from the parent record or credentials. */
  path: z.string(),
  method: z.enum(['GET', 'POST']).default('GET'),
  params: z.record(z.string(), Scalar).default({}),
  /** JSON body (POST); strings may hold placeholders such as `{incremental.start_value}`. */
  json: Json.optional(),
  /** Dot path to the record list in the response; omitted = the body itself (or the first list in it). */
  data_selector: z.string().optional(),
  paginator: PaginatorSpec.optional(),
});

export const GraphQLSpec = z.object({
  /** The GraphQL endpoint relative to base_url. */
  path: z.string().default('graphql'),
  query: z.string(),
  variables: z.record(z.string(), Json).default({}),
  /** Dot path to the nodes, e.g. `data.issues.nodes`. */
  data_path: z.string(),
  /** Dot path to Relay's pageInfo, e.g. `data.issues.pageInfo`. */
  page_info_path: z.string(),
});

export const IncrementalSpec = z.object({
  /** Dot path into each record whose maximum becomes the next start value. */
  cursor_path: z.string(),
  initial_value: z.union([z.string(), z.number()]),
  /** Query parameter that receives the start value (alternatively use `{incremental.start_value}`). */
  param: z.string().optional(),
  /** `desc`: records arrive newest first, so paging stops at the first record older than the start value. */
  row_order: z.enum(['asc', 'desc']).optional(),
  /** How the start value is sent: as stored, or converted (HubSpot's search wants epoch milliseconds). */
  format: z.enum(['as_is', 'epoch_ms', 'unix_seconds', 'iso']).default('as_is'),
});

export const ColumnSpec = z.object({
  type: z.enum(['BOOLEAN', 'BIGINT', 'DOUBLE', 'TIMESTAMP', 'DATE', 'VARCHAR']).optional(),
  description: z.string().optional(),
  note: z.string().optional(),
});

/** A feed of changed records (Stripe's Events API) merged into the resource's table after the main fetch. */
export const ChangeFeedSpec = z.object({
  endpoint: EndpointSpec,
  /** Dot path from each feed item to the changed record, e.g. `data.object`. */
  record_path: z.string(),
  incremental: IncrementalSpec,
});

export const ResourceSpec = z
  .object({
    name: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'resource names are snake_case table names'),
    description: z.string().default(''),
    endpoint: EndpointSpec.optional(),
    graphql: GraphQLSpec.optional(),
    primary_key: z.union([z.string(), z.array(z.string())]).default('id'),
    write_disposition: z.enum(['merge', 'replace', 'append']).default('merge'),
    incremental: IncrementalSpec.optional(),
    parent: z.object({ resource: z.string(), field: z.string(), param: z.string() }).optional(),
    /** Object fields lifted to top-level columns, e.g. HubSpot's `properties`. */
    unwrap: z.array(z.string()).default([]),
    columns: z.record(z.string(), ColumnSpec).default({}),
    change_feed: ChangeFeedSpec.optional(),
    /** false = synced only when asked for by name. */
    selected: z.boolean().default(true),
  })
  .refine((r) => (r.endpoint ? !r.graphql : !!r.graphql), {
    message: 'a resource has exactly one of `endpoint` (REST) or `graphql`',
  });

/**
 * How the write-back re-reads one record before an update or delete (the stale-preview check). Placeholders are
 * the write's own (`{id}`, the id_field, scope columns) plus `{columns}`: the API names of the columns compared.
 */
export const WriteReadSpec = z
  .object({
    /** REST path of the single object, e.g. `v1/customers/{id}`; for GraphQL the endpoint (default `graphql`). */
    path: z.string().optional(),
    /** Query parameters; one left empty by substitution (e.g. `{columns}` with nothing to compare) is omitted. */
    params: z.record(z.string(), Scalar).default({}),
    /** Dot path to the object in the response; omitted = the body itself. */
    data_selector: z.string().optional(),
    /** A GraphQL query instead of a REST GET; `data_path` leads to the object, e.g. `data.issue`. */
    graphql: z
      .object({ query: z.string(), variables: z.record(z.string(), Json).default({}), data_path: z.string() })
      .optional(),
  })
  .refine((r) => r.path !== undefined || r.graphql !== undefined, {
    message: 'a write endpoint `read` needs a REST `path` or a `graphql` query',
  });

export const WriteEndpointSpec = z.object({
  operation: z.enum(['insert', 'update', 'delete']),
  table: z.string(),
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']),
  /** e.g. `v1/customers/{id}` or `repos/{repository_full_name}/issues/{number}`. */
  path: z.string(),
  id_field: z.string().default('id'),
  body: z.enum(['json', 'form', 'none']).default('json'),
  /** Wraps changed fields, e.g. HubSpot's `{"properties": {...}}`. */
  body_wrapper: z.string().optional(),
  /**
   * GraphQL mutations (Linear) instead of a REST path. `{id}` and `{values}` in the variables become the row's id
   * and its changed fields; `data_path` leads to the written object in the answer (e.g. `data.issueUpdate.issue`),
   * and a `success: false` beside it fails the row.
   */
  graphql: z
    .object({ mutation: z.string(), variables: z.record(z.string(), Json), data_path: z.string().optional() })
    .optional(),
  idempotency_header: z.string().optional(),
  /** Local column → API field where flattening (`a__b` → `{a: {b}}`) does not give the name, e.g. `state__id` → `stateId`. */
  column_map: z.record(z.string(), z.string()).default({}),
  /**
   * The API fields this write accepts, named as the vendor's reference names them (Stripe's update-customer
   * parameters, HubSpot properties, Linear's IssueUpdateInput). A preview touching any other column is refused.
   * A column is writable when its API path (`column_map`, else `a__b` → `a.b`) is one of these or lies under
   * one: `address` covers `address__city`. Required for inserts (the creatable fields) and updates.
   */
  writable: z.array(z.string().min(1)).default([]),
  /**
   * Re-reads the record before an update or delete, so a write never lands on a record changed since preview;
   * with `client_id`, finds a create that an earlier attempt already made.
   */
  read: WriteReadSpec.optional(),
  /**
   * Inserts only: the API field that takes a client-chosen id (Linear's `IssueCreateInput.id`). It gets a UUID
   * derived from the mutation and row, the same on every attempt, so a create repeated after a lost answer or a
   * reload names the same record, and `read` finds it instead of a second one being made.
   */
  client_id: z.string().optional(),
});

/** A join path the vendor's API defines, within the source: "table.column" → "table.column". */
export const RelationshipSpec = z.object({
  from: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, 'use "table.column"'),
  to: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, 'use "table.column"'),
  cardinality: z.enum(['one_to_one', 'one_to_many', 'many_to_one', 'many_to_many']).default('many_to_one'),
  description: z.string().default(''),
});

export const ClientSpec = z.object({
  base_url: z.url(),
  /** Hosts the proxy may relay to for this connector; base_url's host must be one of them. */
  allowed_hosts: z.array(z.string()).min(1),
  auth: AuthSpec,
  headers: z.record(z.string(), z.string()).default({}),
  paginator: PaginatorSpec.default({ type: 'single_page' }),
  /**
   * How long a request's retryable failures (429, 5xx, network, a body that breaks off) are retried: the total
   * backoff, e.g. `'60s'` (the default) or `'5m'` for an API known for long outages.
   */
  retry: z
    .object({
      budget: z.string().superRefine((text, ctx) => {
        const problem = durationProblem('retry budget', text);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    })
    .strict()
    .optional(),
});

export const ConnectorSpec = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/),
    description: z.string(),
    docs_url: z.url().optional(),
    credentials: z.array(CredentialField),
    client: ClientSpec,
    resource_defaults: z
      .object({ params: z.record(z.string(), Scalar).default({}), primary_key: z.string().optional() })
      .default({ params: {} }),
    resources: z.array(ResourceSpec).min(1),
    write_endpoints: z.array(WriteEndpointSpec).default([]),
    relationships: z.array(RelationshipSpec).default([]),
  })
  .superRefine((spec, ctx) => {
    const host = new URL(spec.client.base_url).host;
    if (!spec.client.allowed_hosts.includes(host)) {
      ctx.addIssue({
        code: 'custom',
        message: `client.base_url host "${host}" is not in client.allowed_hosts`,
      });
    }
    const names = spec.resources.map((r) => r.name);
    for (const r of spec.resources) {
      if (r.parent && !names.includes(r.parent.resource)) {
        ctx.addIssue({
          code: 'custom',
          message: `resource "${r.name}" has unknown parent "${r.parent.resource}". Available: ${names.join(', ')}`,
        });
      }
    }
    for (const r of spec.relationships) {
      for (const end of [r.from, r.to]) {
        const table = end.split('.')[0]!;
        // Child tables (`invoices__lines__data`) belong to their resource.
        if (!names.includes(table.split('__')[0]!)) {
          ctx.addIssue({
            code: 'custom',
            message: `relationship end "${end}" names no resource. Available: ${names.join(', ')}`,
          });
        }
      }
    }
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `resource "${dup}" is declared twice` });
    for (const w of spec.write_endpoints) {
      if (w.operation !== 'delete' && w.writable.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `write endpoint "${w.operation} ${w.table}" must list its \`writable\` API fields (from the vendor's reference)`,
        });
      }
    }
  });

export type ConnectorSpec = z.infer<typeof ConnectorSpec>;
export type ConnectorSpecInput = z.input<typeof ConnectorSpec>;
export type ResourceSpec = z.infer<typeof ResourceSpec>;
export type EndpointSpec = z.infer<typeof EndpointSpec>;
export type PaginatorSpec = z.infer<typeof PaginatorSpec>;
export type AuthSpec = z.infer<typeof AuthSpec>;
export type IncrementalSpec = z.infer<typeof IncrementalSpec>;
export type WriteEndpointSpec = z.infer<typeof WriteEndpointSpec>;
export type RelationshipSpec = z.infer<typeof RelationshipSpec>;
export type WriteReadSpec = z.infer<typeof WriteReadSpec>;

/** Validates a spec, naming the connector and every problem; secrets never appear (specs hold only placeholders). */
export function parseConnectorSpec(input: unknown, origin = 'connector spec'): ConnectorSpec {
  const result = ConnectorSpec.safeParse(input);
  if (result.success) return result.data;
  const name =
    typeof input === 'object' && input !== null && 'name' in input
      ? String((input as { name: unknown }).name)
      : origin;
  throw new ConfigError('config_invalid', `Invalid connector "${name}":\n${z.prettifyError(result.error)}`);
}
