// A CodeMirror SQL dialect for DuckDB: its keywords, types and common functions, on top of PostgreSQL's rules.
import { PostgreSQL, SQLDialect } from '@codemirror/lang-sql';

const DUCKDB_KEYWORDS =
  'anti asof attach by columns describe detach exclude export force glob ilike import install load ' +
  'macro map pivot pivot_longer pivot_wider positional pragma qualify replace sample semi show similar ' +
  'struct summarize table unpivot using';

const DUCKDB_TYPES =
  'bigint blob boolean date decimal double float hugeint integer interval list map smallint struct time ' +
  'timestamp timestamptz tinyint ubigint uhugeint uinteger usmallint utinyint uuid varchar json enum union';

const DUCKDB_BUILTINS =
  'count sum avg min max arg_max arg_min any_value list string_agg median quantile_cont approx_count_distinct ' +
  'epoch epoch_ms to_timestamp date_trunc date_part strftime strptime now current_date regexp_matches ' +
  'regexp_replace regexp_extract lower upper trim split_part concat_ws coalesce nullif unnest range ' +
  'generate_series list_value list_contains struct_pack read_csv typeof round floor ceil';

export const DuckDB = SQLDialect.define({
  ...PostgreSQL.spec,
  keywords: `${PostgreSQL.spec.keywords ?? ''} ${DUCKDB_KEYWORDS}`,
  types: `${PostgreSQL.spec.types ?? ''} ${DUCKDB_TYPES}`,
  builtin: `${PostgreSQL.spec.builtin ?? ''} ${DUCKDB_BUILTINS}`,
  doubleDollarQuotedStrings: true,
});
