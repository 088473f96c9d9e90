// dlt-style normalisation: snake_case names, nested objects flattened with __, lists of objects as child tables.
import { inferScalar, widen, type ColumnType } from './types.ts';

export type Row = Record<string, unknown>;

export interface NormalizedTable {
  name: string;
  /** Parent table for child tables (`customers__tax_ids` → `customers`). */
  parent: string | null;
  columns: Map<string, ColumnType>;
  rows: Row[];
}

export interface NormalizeOptions {
  /** Root table name. */
  table: string;
  /** Primary-key column(s) of the root table, after normalisation. Rows without it get a content hash id. */
  primaryKey?: string[];
  /** Column type hints that override inference (values are coerced), e.g. HubSpot's numeric strings. */
  hints?: Record<string, ColumnType>;
  /** Nesting depth past which objects are stored as JSON text; dlt's default is 1000, ours is practical. */
  maxNesting?: number;
  /**
   * Object fields whose keys become top-level columns, as dlt's HubSpot source lifts `properties`:
   * `{id, properties: {email}}` → columns `id`, `email`. Top-level keys win a clash.
   */
  unwrap?: string[];
}

/** `createdAt` → `created_at`, `Plan Name` → `plan_name`, `2fa` → `_2fa`, as dlt's snake_case naming does. */
export function snakeCase(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+(?=[a-z0-9])/, (m) => (m.length > 1 ? '_' : m));
  return /^[0-9]/.test(snake) ? `_${snake}` : snake || '_';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function hashId(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

export class Normalizer {
  readonly tables = new Map<string, NormalizedTable>();
  #options: NormalizeOptions & { maxNesting: number };

  constructor(options: NormalizeOptions) {
    this.#options = { maxNesting: 8, ...options };
  }

  #table(name: string, parent: string | null): NormalizedTable {
    let table = this.tables.get(name);
    if (!table) {
      table = { name, parent, columns: new Map(), rows: [] };
      this.tables.set(name, table);
    }
    return table;
  }

  #observe(table: NormalizedTable, column: string, type: ColumnType): void {
    const hint = table.parent === null ? this.#options.hints?.[column] : undefined;
    const before = table.columns.get(column) ?? 'unknown';
    table.columns.set(column, hint ?? widen(before, type));
  }

  /** Adds records (one API page) to the root table and its child tables. */
  add(records: unknown[]): void {
    const root = this.#table(this.#options.table, null);
    for (const record of records) {
      const row: Row = {};
      const children: [string, unknown[]][] = [];
      this.#flatten(root, this.#unwrap(isObject(record) ? record : { value: record }), '', row, children, 0);
      const key = this.#options.primaryKey;
      const id =
        key && key.length > 0 && key.every((k) => row[k] !== undefined && row[k] !== null)
          ? key.map((k) => String(row[k])).join('|')
          : hashId(record);
      row._dlt_id = id;
      this.#observe(root, '_dlt_id', 'VARCHAR');
      root.rows.push(row);
      for (const [field, items] of children) this.#addChildren(root.name, field, items, id, id, 1);
    }
  }

  #unwrap(record: Record<string, unknown>): Record<string, unknown> {
    const fields = this.#options.unwrap;
    if (!fields || fields.length === 0) return record;
    const out: Record<string, unknown> = {};
    for (const field of fields) if (isObject(record[field])) Object.assign(out, record[field]);
    for (const [key, value] of Object.entries(record))
      if (!fields.includes(key) || !isObject(value)) out[key] = value;
    return out;
  }

  #addChildren(
    parent: string,
    field: string,
    items: unknown[],
    parentId: string,
    rootId: string,
    depth: number,
  ) {
    const table = this.#table(`${parent}__${field}`, parent);
    items.forEach((item, index) => {
      const row: Row = {};
      const children: [string, unknown[]][] = [];
      this.#flatten(table, isObject(item) ? item : { value: item }, '', row, children, depth);
      const id = `${parentId}/${field}/${index}`;
      Object.assign(row, {
        _dlt_parent_id: parentId,
        _dlt_root_id: rootId,
        _dlt_list_idx: index,
        _dlt_id: id,
      });
      this.#observe(table, '_dlt_parent_id', 'VARCHAR');
      this.#observe(table, '_dlt_root_id', 'VARCHAR');
      this.#observe(table, '_dlt_list_idx', 'BIGINT');
      this.#observe(table, '_dlt_id', 'VARCHAR');
      table.rows.push(row);
      for (const [childField, childItems] of children) {
        this.#addChildren(table.name, childField, childItems, id, rootId, depth + 1);
      }
    });
  }

  #flatten(
    table: NormalizedTable,
    object: Record<string, unknown>,
    prefix: string,
    row: Row,
    children: [string, unknown[]][],
    depth: number,
  ): void {
    for (const [rawKey, value] of Object.entries(object)) {
      const column = prefix + snakeCase(rawKey);
      if (value === null || value === undefined) {
        if (!(column in row)) row[column] = null;
        this.#observe(table, column, 'unknown');
      } else if (isObject(value)) {
        if (depth >= this.#options.maxNesting)
          this.#set(table, row, column, JSON.stringify(value), 'VARCHAR');
        else this.#flatten(table, value, `${column}__`, row, children, depth + 1);
      } else if (Array.isArray(value)) {
        this.#array(table, row, children, column, value, depth);
      } else {
        this.#set(table, row, column, value, inferScalar(value as string | number | boolean));
      }
    }
  }

  #array(
    table: NormalizedTable,
    row: Row,
    children: [string, unknown[]][],
    column: string,
    value: unknown[],
    depth: number,
  ) {
    const present = value.filter((v) => v !== null && v !== undefined);
    if (present.length === 0) {
      // An empty list says nothing about its kind: it may be a child table elsewhere. Only keep the value.
      row[column] = value;
      return;
    }
    if (present.every(isObject)) {
      if (depth >= this.#options.maxNesting) this.#set(table, row, column, JSON.stringify(value), 'VARCHAR');
      else children.push([column, value]);
      return;
    }
    if (present.some((v) => isObject(v) || Array.isArray(v))) {
      this.#set(table, row, column, JSON.stringify(value), 'VARCHAR');
      return;
    }
    let element: ColumnType = 'unknown';
    for (const v of present) element = widen(element, inferScalar(v as string | number | boolean));
    this.#set(table, row, column, value, { list: element });
  }

  #set(table: NormalizedTable, row: Row, column: string, value: unknown, type: ColumnType): void {
    row[column] = value;
    this.#observe(table, column, type);
  }
}

/** Normalises one batch of records in one call. */
export function normalize(records: unknown[], options: NormalizeOptions): Map<string, NormalizedTable> {
  const normalizer = new Normalizer(options);
  normalizer.add(records);
  return normalizer.tables;
}
