// The agent tools, defined once (name, description, zod input schema, read-only or not) for stdio, HTTP /mcp and WebMCP.
import { z } from 'zod';

export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: z.ZodObject;
  /** Reads only: MCP's `readOnlyHint`. */
  readOnly: boolean;
}

export const CARDINALITIES = ['one_to_one', 'one_to_many', 'many_to_one', 'many_to_many'] as const;

export const AnnotationInput = z.object({
  target: z.string().min(1).describe('"schema.table" or "schema.table.column"'),
  key: z
    .string()
    .min(1)
    .describe('"description" or "note" (columns), "description" (tables), or any tag such as "pii"'),
  value: z.string().describe('The text; flags are "true" / "false"'),
});
export type AnnotationInput = z.infer<typeof AnnotationInput>;

export const RelationshipInput = z.object({
  from_table: z.string().min(1).describe('"schema.table" holding the referencing column'),
  from_column: z.string().min(1),
  to_table: z.string().min(1).describe('"schema.table" the column points to'),
  to_column: z.string().min(1),
  cardinality: z.enum(CARDINALITIES).default('one_to_many'),
  description: z.string().default(''),
});
export type RelationshipInput = z.infer<typeof RelationshipInput>;

const mutationId = z.string().min(1).describe('The mutation_id a preview returned, e.g. "mut_3f2a9c0b1d4e"');

export const QueryArgs = z.object({
  sql: z.string().min(1).describe('DuckDB SQL; tables as schema.table'),
  max_rows: z.number().int().min(1).max(10_000).default(200).describe('Rows returned at most (1..10000)'),
});
export const DescribeArgs = z.object({
  table: z.string().min(1).describe('"schema.table", e.g. "stripe.customers"'),
});
export const AnnotateArgs = z.object({
  items: z.array(z.union([AnnotationInput, RelationshipInput])).min(1),
});
export const ConfirmArgs = z.object({ mutation_id: mutationId });
export const ConfirmBatchArgs = z.object({ mutation_ids: z.array(mutationId).min(1) });
export const CancelArgs = z.object({ mutation_id: mutationId });
export const RefreshArgs = z.object({ source: z.string().min(1).describe('A source name, e.g. "stripe"') });
export const NoArgs = z.object({});
export const SavedQueriesArgs = z.object({
  search: z.string().optional().describe('Keep only queries whose name or SQL contains this text (any case)'),
});
export const RunSavedQueryArgs = z.object({
  name: z.string().min(1).describe("A saved query's name, as saved_queries lists it"),
  max_rows: QueryArgs.shape.max_rows,
});

/**
 * The original's tool set, minus `exec_code`: arbitrary code cannot be sandboxed here (in the tab it would run
 * beside the database and the app; in Node beside the credentials), so agents get SQL and the typed tools only.
 */
export const TOOL_SPECS: readonly ToolSpec[] = [
  {
    name: 'query',
    description:
      'Run DuckDB SQL across every synced source (one schema per source; join across them). Reads return ' +
      '{columns, rows, data_types, row_count, total_rows}; UPDATE/INSERT/DELETE return a preview with a ' +
      'mutation_id to confirm or cancel (end the SQL with --force to execute at once, where allowed). The ' +
      'scratch schema is a workspace: CREATE TABLE/VIEW/MACRO scratch.<name>, and INSERT, UPDATE, DELETE, ALTER ' +
      'and DROP on scratch objects, run at once. Anything else (other DDL, COPY, ATTACH, reading URLs or files) ' +
      'is refused.',
    inputSchema: QueryArgs,
    readOnly: false,
  },
  {
    name: 'saved_queries',
    description:
      'List the saved queries people (and the CLI) keep in this database: {saved_queries: [{name, sql, ' +
      'description, updated_at}]}. Reuse one with run_saved_query instead of writing the SQL again.',
    inputSchema: SavedQueriesArgs,
    readOnly: true,
  },
  {
    name: 'run_saved_query',
    description:
      'Run a saved query by name, exactly as `query` would run its SQL (same result shape; a write in it ' +
      'returns a preview to confirm). An unknown name is an error listing the saved names.',
    inputSchema: RunSavedQueryArgs,
    readOnly: false,
  },
  {
    name: 'list_connectors',
    description: 'List the sources with their tables, row counts and freshness (age, STALE or fresh).',
    inputSchema: NoArgs,
    readOnly: true,
  },
  {
    name: 'describe',
    description:
      'Describe a table: columns with types, descriptions and notes (units, enum values), tags, sample rows, ' +
      'and related_tables: the join conditions to other tables.',
    inputSchema: DescribeArgs,
    readOnly: true,
  },
  {
    name: 'annotate',
    description:
      'Record what you learned for the next agent: {target, key, value} sets a table or column description, ' +
      'note or tag; {from_table, from_column, to_table, to_column, cardinality, description} stores a join path.',
    inputSchema: AnnotateArgs,
    readOnly: false,
  },
  {
    name: 'confirm',
    description: 'Execute a previewed mutation: writes it to the source API, then to the local table.',
    inputSchema: ConfirmArgs,
    readOnly: false,
  },
  {
    name: 'confirm_batch',
    description: 'Execute several previewed mutations, in order.',
    inputSchema: ConfirmBatchArgs,
    readOnly: false,
  },
  {
    name: 'cancel',
    description: 'Cancel a previewed mutation; nothing is written.',
    inputSchema: CancelArgs,
    readOnly: false,
  },
  {
    name: 'refresh',
    description:
      'Sync a source now (for a STALE one); returns {status, tables_synced, rows_synced, error, freshness}.',
    inputSchema: RefreshArgs,
    readOnly: false,
  },
];

export function toolSpec(name: string): ToolSpec | undefined {
  return TOOL_SPECS.find((t) => t.name === name);
}
