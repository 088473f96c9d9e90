// The MCP server's instructions, as the original writes them: what data there is, how fresh, and which tools to call in which order.
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type { DinobaseDB } from '../db.ts';
import { listSources } from '../query/catalog.ts';
import { sourcesWithoutRelationships } from '../semantic/relationships.ts';

const NO_DATA =
  'This is a Dinobase instance with no data loaded yet. The user needs to add a source and sync it first: in ' +
  'the Dinobase app (Sources → Add source, then Sync now; or Try the sample data), or with ' +
  '`dinobase add <connector>` and `dinobase sync`.';

/**
 * One line per source (tables, row total, freshness), then numbered steps naming the tools. Never column
 * types or notes: those belong to `describe`, asked for the tables a question needs.
 */
export async function serverInstructions(engines: {
  db: DinobaseDB;
  connectors?: ConnectorRegistry;
}): Promise<string> {
  const { sources } = await listSources(engines.db);
  if (sources.length === 0) return NO_DATA;
  const lines = sources.map((s) => {
    const tables = s.tables.map((t) => t.name).join(', ');
    const rows = `${s.total_rows.toLocaleString('en-US')} rows total`;
    let freshness = '';
    if (s.type === 'sample') freshness = ' — sample data';
    else if (s.is_stale === true)
      freshness = s.age ? ` — STALE (last sync: ${s.age} ago)` : ' — STALE (never synced)';
    else if (s.is_stale === false) freshness = ` — fresh (${s.age ?? '0s'} ago)`;
    return `  ${s.name}: ${tables} (${rows})${freshness}`;
  });
  const stale = sources.filter((s) => s.is_stale === true && s.type !== 'sample').map((s) => s.name);
  const steps = [
    'Call `list_connectors` to see every source, its tables, row counts and freshness.',
    'Call `describe` with "schema.table" for the tables the question needs: columns, descriptions, notes ' +
      '(units, enum values), sample rows, and `related_tables`, the join conditions to other ' +
      'tables and sources.',
    'Call `query` with DuckDB SQL, tables as schema.table; join across sources (for example on email). ' +
      'Results stop at max_rows (default 200): paginate with LIMIT/OFFSET or aggregate in SQL.',
  ];
  const saved = await savedCount(engines.db);
  if (saved > 0) {
    steps.push(
      `The user keeps ${saved} saved ${saved === 1 ? 'query' : 'queries'}: \`saved_queries\` lists them and ` +
        '`run_saved_query` runs one by name; reuse one when it answers the question.',
    );
  }
  if (stale.length > 0) {
    steps.push(
      `Call \`refresh\` with a source name to sync a STALE source (${stale.join(', ')}) when the answer needs current data.`,
    );
  }
  steps.push(
    'To change data at the source, `query` an UPDATE/INSERT/DELETE: it returns a preview and a mutation_id. ' +
      'Show the preview to the user, then `confirm` (or `confirm_batch`) it, or `cancel` it.',
    'Call `annotate` to record what you learned (a description, a note on units, a relationship), so the ' +
      'next question is easier.',
  );
  const out = [
    'Dinobase: SQL (DuckDB) over the user’s business data, synced from SaaS APIs into one local database. ' +
      'Each source is a schema.',
    '',
    'Sources:',
    ...lines,
    '',
    'How to answer a question:',
    ...steps.map((s, i) => `${i + 1}. ${s}`),
  ];
  const bare = await sourcesWithoutRelationships(engines.db, sources, engines.connectors);
  if (bare.length > 0) {
    out.push(
      '',
      `Semantic layer not built for: ${bare.join(', ')}. Look at their tables with \`describe\` and store join ` +
        'paths and descriptions with `annotate`.',
    );
  }
  return out.join('\n');
}

/** Saved queries in the database; 0 when there is no such table (a read-only file from before migration 4). */
async function savedCount(db: DinobaseDB): Promise<number> {
  const rows = await db.query('SELECT count(*) AS n FROM _dinobase.saved_queries').catch(() => [{ n: 0 }]);
  return Number(rows[0]?.n ?? 0);
}
