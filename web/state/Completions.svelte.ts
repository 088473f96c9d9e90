// The editor's completion index: the live catalog's columns, refreshed with the catalog, DuckDB's vocabulary, and join paths.
import { get, set } from 'idb-keyval';
import type { CatalogSource } from '../../worker/api.ts';
import type { JsonRow } from '../../worker/values.ts';
import type { Engine } from '../lib/engine.ts';
import {
  buildNamespace,
  columnsFromRows,
  COLUMNS_SQL,
  vocabularyFromRows,
  VOCABULARY_SQL,
  type CompletionIndex,
} from '../lib/completion.ts';

/** DuckDB's vocabulary as last read, kept between visits: it changes only with DuckDB's version (or the query). */
const VOCABULARY_KEY = 'dinobase:vocabulary';

interface StoredVocabulary {
  version: string;
  sql: string;
  rows: JsonRow[];
}

export class Completions {
  #engine: Engine;
  #index = $state.raw<CompletionIndex>({ namespace: {}, columns: [], vocabulary: null });
  #vocabularyAsked = false;
  /** Tables whose join paths were asked for (once each per catalog refresh). */
  #joinsAsked: Record<string, true> = {};
  #generation = 0;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Read by the editor's completion sources on every request. */
  get index(): CompletionIndex {
    return this.#index;
  }

  /** Rebuilds columns for the catalog's tables in one information_schema query; called whenever the catalog refreshes. */
  async refresh(sources: CatalogSource[], duckdbVersion?: string): Promise<void> {
    const generation = ++this.#generation;
    const tables = sources.flatMap((s) => s.tables.map((t) => ({ schema: s.name, table: t.name })));
    const vocabulary = this.#vocabularyAsked ? null : this.#loadVocabulary(duckdbVersion);
    const response =
      tables.length > 0 ? await this.#engine.execute({ sql: COLUMNS_SQL, maxRows: 1_000_000 }) : null;
    if (generation !== this.#generation) return;
    const columns = response && 'rows' in response ? columnsFromRows(response.rows, tables) : [];
    this.#joinsAsked = {};
    this.#index = { ...this.#index, namespace: buildNamespace(tables, columns), columns, joins: {} };
    await vocabulary;
  }

  /** Reads a table's join paths (describe's related_tables) for the completion after JOIN. */
  async loadJoins(table: string): Promise<void> {
    if (this.#joinsAsked[table]) return;
    this.#joinsAsked[table] = true;
    const described = await this.#engine.describeTable({ table }).catch(() => null);
    if (!described || 'error' in described) return;
    const paths = (described.related_tables ?? []).map((r) => ({
      table: r.table,
      join: r.join,
      cardinality: r.cardinality,
    }));
    this.#index = { ...this.#index, joins: { ...this.#index.joins, [table]: paths } };
  }

  /**
   * From the copy kept for this DuckDB version when there is one: reading duckdb_functions() is the dearest
   * query of a start, and it would sit in DuckDB's queue ahead of the user's first query.
   */
  async #loadVocabulary(version: string | undefined): Promise<void> {
    this.#vocabularyAsked = true;
    // Where IndexedDB is missing (or refuses) the vocabulary is simply read from DuckDB each time.
    const stored = version
      ? await Promise.resolve()
          .then(() => get<StoredVocabulary>(VOCABULARY_KEY))
          .catch(() => undefined)
      : undefined;
    if (stored && stored.version === version && stored.sql === VOCABULARY_SQL) {
      this.#index = { ...this.#index, vocabulary: vocabularyFromRows(stored.rows) };
      return;
    }
    const response = await this.#engine.execute({ sql: VOCABULARY_SQL, maxRows: 100_000 });
    if (!('rows' in response)) {
      this.#vocabularyAsked = false;
      return;
    }
    this.#index = { ...this.#index, vocabulary: vocabularyFromRows(response.rows) };
    if (version) {
      const kept: StoredVocabulary = { version, sql: VOCABULARY_SQL, rows: response.rows };
      void Promise.resolve()
        .then(() => set(VOCABULARY_KEY, kept))
        .catch(() => undefined);
    }
  }
}
