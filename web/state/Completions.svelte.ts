// The editor's completion index: the live catalog's columns, refreshed with the catalog, plus DuckDB's vocabulary.
import type { CatalogSource } from '../../worker/api.ts';
import type { Engine } from '../lib/engine.ts';
import {
  buildNamespace,
  columnsFromRows,
  COLUMNS_SQL,
  vocabularyFromRows,
  VOCABULARY_SQL,
  type CompletionIndex,
} from '../lib/completion.ts';

export class Completions {
  #engine: Engine;
  #index = $state.raw<CompletionIndex>({ namespace: {}, columns: [], vocabulary: null });
  #vocabularyAsked = false;
  #generation = 0;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Read by the editor's completion sources on every request. */
  get index(): CompletionIndex {
    return this.#index;
  }

  /** Rebuilds columns for the catalog's tables in one information_schema query; called whenever the catalog refreshes. */
  async refresh(sources: CatalogSource[]): Promise<void> {
    const generation = ++this.#generation;
    const tables = sources.flatMap((s) => s.tables.map((t) => ({ schema: s.name, table: t.name })));
    const vocabulary = this.#vocabularyAsked ? null : this.#loadVocabulary();
    const response =
      tables.length > 0 ? await this.#engine.execute({ sql: COLUMNS_SQL, maxRows: 1_000_000 }) : null;
    if (generation !== this.#generation) return;
    const columns = response && 'rows' in response ? columnsFromRows(response.rows, tables) : [];
    this.#index = { ...this.#index, namespace: buildNamespace(tables, columns), columns };
    await vocabulary;
  }

  async #loadVocabulary(): Promise<void> {
    this.#vocabularyAsked = true;
    const response = await this.#engine.execute({ sql: VOCABULARY_SQL, maxRows: 100_000 });
    if ('rows' in response) this.#index = { ...this.#index, vocabulary: vocabularyFromRows(response.rows) };
    else this.#vocabularyAsked = false;
  }
}
