// One query result and how it is being viewed: sort order, selection, expanded cell, table or chart.
import type { Table } from 'apache-arrow';
import { tableToArrays, type JsonValue } from '../../worker/values.ts';
import { columnKind, type ColumnKind } from '../lib/cells.ts';
import { toCsv } from '../lib/csv.ts';
import { nextSort, sortOrder, type SortState } from '../lib/sort.ts';
import { splitStatements } from '../lib/statements.ts';

export type ResultMode = 'table' | 'chart';

/** A selected cell, or a whole row when `col` is null; `row` is the displayed (sorted) position. */
export interface Selection {
  row: number;
  col: number | null;
}

export interface ResultInit {
  table: Table;
  columns: string[];
  types: Record<string, string>;
  rowCount: number;
  totalRows: number;
  truncated: boolean;
  message: string | null;
  elapsedMs: number;
  sql: string;
}

export class ResultSet {
  readonly table: Table;
  readonly columns: string[];
  readonly types: Record<string, string>;
  /** DuckDB type names by column position (names can repeat, e.g. two `id` columns of a join). */
  readonly typeList: string[];
  readonly kinds: ColumnKind[];
  readonly rowCount: number;
  readonly totalRows: number;
  readonly truncated: boolean;
  readonly message: string | null;
  readonly elapsedMs: number;
  /** The SQL that produced this result, for "load more". */
  readonly sql: string;
  /** How many statements that SQL held: the grid shows the last one's result, and says so when there were more. */
  readonly statements: number;
  /** Where the grid was scrolled, so switching tabs (or loading more) comes back to the same rows. */
  scrollTop = 0;

  #sort = $state.raw<SortState | null>(null);
  #order = $state.raw<Uint32Array | null>(null);
  selection = $state.raw<Selection | null>(null);
  expanded = $state.raw<{ row: number; col: number } | null>(null);
  mode = $state<ResultMode>('table');
  /** Told when the user switches Table/Chart, so the editor tab remembers it (across runs and reloads). */
  onModeChange: (mode: ResultMode) => void = () => undefined;

  constructor(init: ResultInit) {
    this.table = init.table;
    this.columns = init.columns;
    this.types = init.types;
    this.typeList = init.table.schema.fields.map(
      (f, i) => init.types[f.name] ?? init.types[init.columns[i] ?? ''] ?? '',
    );
    this.kinds = this.typeList.map(columnKind);
    this.rowCount = init.rowCount;
    this.totalRows = init.totalRows;
    this.truncated = init.truncated;
    this.message = init.message;
    this.elapsedMs = init.elapsedMs;
    this.sql = init.sql;
    this.statements = splitStatements(init.sql).length;
  }

  get sort() {
    return this.#sort;
  }
  /** Displayed position → row in the Arrow table; null while unsorted. */
  get order() {
    return this.#order;
  }

  /**
   * Sorts in memory on the Arrow data rather than re-running with ORDER BY: it is instant for the rows
   * already here, works for any statement (SHOW, SUMMARIZE, a query ending in LIMIT), never re-runs an
   * expensive query, and keeps the result consistent with what was fetched.
   */
  sortBy(column: number): void {
    this.setSort(nextSort(this.#sort, column));
  }

  setSort(next: SortState | null): void {
    this.#sort = next;
    this.#order = next ? sortOrder(this.table, next, this.kinds[next.column] ?? 'text') : null;
    this.selection = null;
    this.expanded = null;
  }

  /** Arrow row index of a displayed row. */
  sourceRow(row: number): number {
    return this.#order ? this.#order[row]! : row;
  }

  rowValues(row: number): JsonValue[] {
    const i = this.sourceRow(row);
    return tableToArrays(this.table.slice(i, i + 1))[0] ?? [];
  }

  cellValue(row: number, col: number): JsonValue {
    return this.rowValues(row)[col] ?? null;
  }

  select(selection: Selection | null): void {
    this.selection = selection;
  }

  /** Table or Chart; a chart shows no cells, so the selection (which Copy would copy) goes with the table. */
  setMode(mode: ResultMode): void {
    this.mode = mode;
    this.onModeChange(mode);
    if (mode === 'chart') {
      this.selection = null;
      this.expanded = null;
    }
  }

  /** Esc: closes an expanded value first, then drops the selection; false when there was neither. */
  clearSelection(): boolean {
    if (this.expanded) this.expanded = null;
    else if (this.selection) this.selection = null;
    else return false;
    return true;
  }

  /** Moves the selection by whole cells, staying inside the grid. */
  move(dRow: number, dCol: number): void {
    if (this.rowCount === 0) return;
    const current = this.selection ?? { row: 0, col: 0 };
    const row = Math.min(Math.max(current.row + dRow, 0), this.rowCount - 1);
    const col =
      current.col === null && dCol === 0
        ? null
        : Math.min(Math.max((current.col ?? 0) + dCol, 0), this.columns.length - 1);
    this.selection = { row, col };
  }

  toCsv(): string {
    return toCsv(this.table, this.columns, this.#order);
  }
}
