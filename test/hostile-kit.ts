// Shared by the hostile-SQL suites: a fingerprint of everything SQL could change, and a seeded generator of attacks.
import type { DinobaseDB } from '../worker/db.ts';
export { Rng } from '../worker/sample/prng.ts';

/**
 * Tables with their row count and content hash, attached databases, settings, and the files in the one
 * directory SQL may write to. `_dinobase.mutations` is left out: previews add audit rows there by design.
 */
export async function fingerprint(db: DinobaseDB, fileDir: string): Promise<string> {
  const tables = await db.query(
    `SELECT schema_name AS s, table_name AS t FROM duckdb_tables()
     WHERE NOT (schema_name = '_dinobase' AND table_name = 'mutations') ORDER BY ALL`,
  );
  const parts: string[] = [];
  for (const { s, t } of tables) {
    const name = `"${String(s)}"."${String(t)}"`;
    const [row] = await db.query(
      `SELECT count(*)::BIGINT AS n, md5(coalesce(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR), '')) AS h FROM ${name} x`,
    );
    parts.push(`${name}:${String(row?.n)}:${String(row?.h)}`);
  }
  const rest = await db.query(
    `SELECT 'db:' || database_name AS v FROM duckdb_databases()
     UNION ALL SELECT 'view:' || schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal
     UNION ALL SELECT 'schema:' || schema_name FROM duckdb_schemas()
     UNION ALL SELECT 'setting:' || name || '=' || coalesce(value, '') FROM duckdb_settings()
     UNION ALL SELECT 'file:' || file FROM glob('${fileDir}/*')
     ORDER BY ALL`,
  );
  return [...parts, ...rest.map((r) => String(r.v))].join('\n');
}

export const READS = [
  'SELECT 1',
  'SELECT count(*) FROM stripe.customers',
  "SELECT 'a;b' AS x",
  'FROM stripe.customers LIMIT 1',
  'VALUES (1)',
  'SHOW TABLES',
  'DESCRIBE stripe.customers',
];

/** Statements that must never run from a read; `dir` is the one directory SQL may write files to. */
export function writes(dir: string): string[] {
  return [
    'DROP TABLE stripe.customers',
    'CREATE TABLE stripe.pwned AS SELECT 1 AS x',
    "ATTACH ':memory:' AS pwned",
    'PRAGMA threads = 1',
    'SET search_path = stripe',
    'SET threads = 1',
    "UPDATE _dinobase.sources SET type = 'pwned'",
    'DELETE FROM stripe.customers',
    "INSERT INTO stripe.customers (id) VALUES ('cus_pwned')",
    `COPY (SELECT 1) TO '${dir}/pwned.csv'`,
    'CREATE SCHEMA pwned',
    'CREATE VIEW stripe.pwned AS SELECT 1',
    'ALTER TABLE stripe.customers RENAME TO pwned',
    'DETACH memory',
    'CHECKPOINT',
  ];
}

/**
 * What joins two statements: each makes a lexer that disagrees with DuckDB see one statement where DuckDB
 * sees two (the first two are issue 16's), or is a plain separator.
 */
export const JOINS: ((a: string, b: string) => string)[] = [
  (a, b) => `${a} --\r; ${b}; --`,
  (a, b) => `SELECT E'\\''; ${b}; SELECT ''''`,
  (a, b) => `${a} --\r\n; ${b}`,
  (a, b) => `${a}; ${b}`,
  (a, b) => `${a};${b};`,
  (a, b) => `${a} /* x /* y */ ; */ ; ${b}`,
  (a, b) => `${a}, $$;$$; ${b}`,
  (a, b) => `${a}, $t$ ' $t$; ${b}`,
  (a, b) => `${a}, U&'\\'; ${b}; SELECT ''''`,
  (a, b) => `SELECT e'\\\\'; ${b}`,
  (a, b) => `${a}\n;\n${b}`,
  (a, b) => `${a} -- ;\n; ${b}`,
  (a, b) => `SELECT "a"";" FROM (SELECT 1 AS "a"";"); ${b}`,
  (a, b) => `${a}\u00a0; ${b}`,
  (a, b) => `WITH x AS (${a}) SELECT * FROM x; ${b}`,
];
