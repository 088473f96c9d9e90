// Schema-aware SQL completion from the live catalog: schemas, tables, columns, join conditions, DuckDB functions, keywords and types.
import {
  ifNotIn,
  type Completion,
  type CompletionContext,
  type CompletionResult,
  type CompletionSource,
} from '@codemirror/autocomplete';
import { keywordCompletionSource, schemaCompletionSource, type SQLNamespace } from '@codemirror/lang-sql';
import { LanguageSupport } from '@codemirror/language';
import type { JsonRow } from '../../worker/values.ts';
import { DuckDB } from './duckdb-dialect.ts';

export interface ColumnInfo {
  schema: string;
  table: string;
  name: string;
  type: string;
}

/** One way a table joins another, as describe's related_tables gives it. */
export interface JoinPath {
  table: string;
  /** "ON a.x = b.y", fully qualified. */
  join: string;
  cardinality?: string;
}

export interface CompletionIndex {
  namespace: SQLNamespace;
  columns: ColumnInfo[];
  /** Join paths by "schema.table" (lower case), for the tables described so far. */
  joins?: Record<string, JoinPath[]>;
  /** Functions, keywords and types as the engine lists them; null until loaded (the dialect's lists stand in). */
  vocabulary: Completion[] | null;
}

/** One round trip for every column of every table; filtered to the catalog's user tables by the caller. */
export const COLUMNS_SQL = `SELECT table_schema AS s, table_name AS t, column_name AS c, data_type AS d
FROM information_schema.columns WHERE table_catalog = current_database()
ORDER BY table_schema, table_name, ordinal_position`;

/** DuckDB's own function, keyword and type lists, so completion matches exactly what this build supports. */
export const VOCABULARY_SQL = `SELECT 'function' AS kind, function_name AS name, min(function_type) AS detail,
  min(description) AS info, any_value(parameters) AS params
FROM duckdb_functions() WHERE regexp_matches(function_name, '^[a-z_][a-z0-9_]*$') AND function_type <> 'pragma'
GROUP BY function_name
UNION ALL SELECT 'keyword', keyword_name, keyword_category, NULL, NULL FROM duckdb_keywords()
UNION ALL SELECT DISTINCT 'type', type_name, NULL, NULL, NULL FROM duckdb_types()
WHERE regexp_matches(type_name, '^[a-z_][a-z0-9_ ]*$')`;

const PLAIN = /^[a-z_][a-z0-9_]*$/;
const quoteId = (name: string) => (PLAIN.test(name) ? name : `"${name.replaceAll('"', '""')}"`);
/** dlt's bookkeeping columns (_dlt_id, _dlt_load_id) sort after the real ones. */
const internalPenalty = (name: string) => (name.startsWith('_dlt_') ? -1 : 0);

export function columnsFromRows(rows: JsonRow[], tables: { schema: string; table: string }[]): ColumnInfo[] {
  const keys = new Set(tables.map((t) => `${t.schema}.${t.table}`));
  return rows
    .map((r) => ({ schema: String(r.s), table: String(r.t), name: String(r.c), type: String(r.d) }))
    .filter((c) => keys.has(`${c.schema}.${c.table}`));
}

/** The nested namespace lang-sql completes after `schema.` and `table.` (and aliases from FROM). */
export function buildNamespace(
  tables: { schema: string; table: string }[],
  columns: ColumnInfo[],
): SQLNamespace {
  const bySchema: Record<string, Record<string, Completion[]>> = {};
  for (const { schema, table } of tables) (bySchema[schema] ??= {})[table] = [];
  for (const c of columns) {
    bySchema[c.schema]?.[c.table]?.push({
      label: c.name,
      apply: quoteId(c.name),
      type: 'property',
      detail: c.type,
      boost: internalPenalty(c.name),
    });
  }
  const namespace: Record<string, SQLNamespace> = {};
  for (const [schema, schemaTables] of Object.entries(bySchema)) {
    const children: Record<string, SQLNamespace> = {};
    for (const [table, cols] of Object.entries(schemaTables)) {
      children[table] = {
        self: { label: table, apply: quoteId(table), type: 'class', detail: `${cols.length} columns` },
        children: cols,
      };
    }
    namespace[schema] = { self: { label: schema, apply: quoteId(schema), type: 'namespace' }, children };
  }
  return namespace;
}

export function vocabularyFromRows(rows: JsonRow[]): Completion[] {
  return rows.map((r): Completion => {
    const name = String(r.name);
    if (r.kind === 'function') {
      const params = Array.isArray(r.params) ? r.params.map(String).join(', ') : '';
      const info = [`${name}(${params})`, r.info ? String(r.info) : ''].filter(Boolean).join('\n');
      return { label: name, type: 'function', detail: String(r.detail ?? ''), info, boost: -1 };
    }
    return { label: name.toUpperCase(), type: r.kind === 'type' ? 'type' : 'keyword', boost: -2 };
  });
}

/** Tables the statement around the cursor mentions, as "schema.table" keys (qualified, or bare after FROM/JOIN). */
export function referencedTables(statement: string, columns: ColumnInfo[]): Set<string> {
  const known = new Set(columns.map((c) => `${c.schema}.${c.table}`.toLowerCase()));
  const byName = new Map<string, string>();
  for (const key of known) byName.set(key.split('.')[1]!, key);
  const found = new Set<string>();
  for (const m of statement.matchAll(/(?:"([^"]+)"|(\w+))\s*\.\s*(?:"([^"]+)"|(\w+))/g)) {
    const key = `${m[1] ?? m[2]}.${m[3] ?? m[4]}`.toLowerCase();
    if (known.has(key)) found.add(key);
  }
  for (const m of statement.matchAll(/\b(?:from|join)\s+(\w+)\b(?!\s*\.)/gi)) {
    const key = byName.get(m[1]!.toLowerCase());
    if (key) found.add(key);
  }
  return found;
}

/** The statement's text around `pos`: from the previous `;` to the next, good enough for finding FROM. */
function statementAround(context: CompletionContext): string {
  const doc = context.state.doc.toString();
  const start = doc.lastIndexOf(';', context.pos - 1) + 1;
  const next = doc.indexOf(';', context.pos);
  return doc.slice(start, next < 0 ? doc.length : next);
}

/** Bare column names: those of the tables the statement reads first, else every column (deduplicated). */
function columnSource(index: () => CompletionIndex): CompletionSource {
  return (context) => {
    const word = context.matchBefore(/\w+/);
    if (context.state.sliceDoc((word?.from ?? context.pos) - 1, word?.from ?? context.pos) === '.')
      return null;
    if (!word && !context.explicit) return null;
    const { columns } = index();
    const refs = referencedTables(statementAround(context), columns);
    const options: Completion[] = [];
    const seen = new Map<string, Completion>();
    for (const c of columns) {
      const key = `${c.schema}.${c.table}`;
      const inScope = refs.has(key.toLowerCase());
      if (refs.size > 0 && !inScope) continue;
      const prior = seen.get(c.name);
      if (prior) {
        prior.info = `${String(prior.info)}, ${key}`;
        continue;
      }
      const option: Completion = {
        label: c.name,
        apply: quoteId(c.name),
        type: 'property',
        detail: `${c.type} · ${refs.size > 0 ? c.table : key}`,
        info: `Column of ${key}`,
        boost: (inScope ? 2 : 0) + internalPenalty(c.name),
      };
      seen.set(c.name, option);
      options.push(option);
    }
    return { from: word?.from ?? context.pos, options, validFor: /^\w*$/ };
  };
}

function vocabularySource(index: () => CompletionIndex): CompletionSource {
  const fallback = keywordCompletionSource(DuckDB, true);
  return (context) => {
    const vocabulary = index().vocabulary;
    if (!vocabulary) return fallback(context);
    const word = context.matchBefore(/\w+/);
    if (!word && !context.explicit) return null;
    if (context.state.sliceDoc((word?.from ?? context.pos) - 1, word?.from ?? context.pos) === '.')
      return null;
    return { from: word?.from ?? context.pos, options: vocabulary, validFor: /^\w*$/ };
  };
}

/** lang-sql builds its schema levels once per namespace; rebuild only when the catalog changed. */
function schemaSource(index: () => CompletionIndex): CompletionSource {
  let cached: { namespace: SQLNamespace; source: CompletionSource } | null = null;
  return (context): ReturnType<CompletionSource> => {
    const { namespace } = index();
    if (cached?.namespace !== namespace) {
      cached = { namespace, source: schemaCompletionSource({ dialect: DuckDB, schema: namespace }) };
    }
    return cached.source(context) as CompletionResult | null;
  };
}

/** The FROM/JOIN tables of a statement with their aliases: `stripe.customers c` → {stripe.customers: c}. */
export function tableAliases(statement: string): Map<string, string | null> {
  const found = new Map<string, string | null>();
  const re =
    /\b(?:from|join)\s+(\w+\.\w+)(?:\s+(?:as\s+)?(?!on\b|join\b|where\b|left\b|right\b|inner\b|full\b|cross\b|group\b|order\b|limit\b)(\w+))?/gi;
  for (const m of statement.matchAll(re)) found.set(m[1]!.toLowerCase(), m[2] ?? null);
  return found;
}

/** `ON a.x = b.y` with each table written as the statement names it (its alias, when it has one). */
function withAliases(join: string, aliases: Map<string, string | null>): string {
  return join.replace(/\b(\w+\.\w+)\.(\w+)\b/g, (whole, table: string, column: string) => {
    const alias = aliases.get(table.toLowerCase());
    return alias ? `${alias}.${column}` : whole;
  });
}

/**
 * After `JOIN`, the tables the statement's tables relate to, each with its join condition
 * (`stripe.customers ON s.customer = stripe.customers.id`). `want(table)` asks for a table's paths not yet known.
 */
export function joinOptions(
  statement: string,
  joins: Record<string, JoinPath[]>,
  want: (table: string) => void = () => undefined,
): Completion[] {
  const aliases = tableAliases(statement);
  const options: Completion[] = [];
  for (const table of aliases.keys()) {
    const paths = joins[table];
    if (!paths) {
      want(table);
      continue;
    }
    for (const path of paths) {
      if (aliases.has(path.table.toLowerCase())) continue;
      const text = `${path.table} ${withAliases(path.join, aliases)}`;
      options.push({ label: text, apply: text, type: 'text', detail: path.cardinality, boost: 5 });
    }
  }
  return options;
}

/** Join conditions right after `JOIN` (and while the table name is typed). */
function joinSource(index: () => CompletionIndex, want: (table: string) => void): CompletionSource {
  return (context) => {
    const before = context.matchBefore(/\bjoin\s+[\w.]*$/i);
    if (!before) return null;
    const word = context.matchBefore(/[\w.]+$/);
    const doc = context.state.doc.toString();
    const start = doc.lastIndexOf(';', context.pos - 1) + 1;
    const options = joinOptions(doc.slice(start, context.pos), index().joins ?? {}, want);
    return options.length ? { from: word?.from ?? context.pos, options, filter: true } : null;
  };
}

const NOT_IN = ['QuotedIdentifier', 'String', 'LineComment', 'BlockComment'];

/**
 * DuckDB SQL with completion read from `index()` on every request, so a catalog refresh needs no reconfigure;
 * `wantJoins(table)` asks for a table's join paths (describe) the first time a JOIN after it needs them.
 */
export function duckdbSql(
  index: () => CompletionIndex,
  wantJoins: (table: string) => void = () => undefined,
): LanguageSupport {
  const data = DuckDB.language.data;
  return new LanguageSupport(DuckDB.language, [
    data.of({ autocomplete: ifNotIn(NOT_IN, joinSource(index, wantJoins)) }),
    data.of({ autocomplete: schemaSource(index) }),
    data.of({ autocomplete: ifNotIn(NOT_IN, columnSource(index)) }),
    data.of({ autocomplete: ifNotIn(NOT_IN, vocabularySource(index)) }),
  ]);
}
