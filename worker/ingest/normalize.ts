// dlt-style normalisation: snake_case names, nested objects flattened with __, lists of objects as child tables.
import { isRecord } from '../../common/json.ts';
import { inferScalar, widen, type ColumnType } from './types.ts';

export type Row = Record<string, unknown>;

export interface NormalizedTable {
  name: string;
  /** Parent table for child tables (`customers__tax_ids` → `customers`). */
  parent: string | null;
  columns: Map<string, ColumnType>;
  /** One array per column, indexed by row; a missing entry is NULL. */
  values: Map<string, unknown[]>;
  length: number;
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

const snakeCache = new Map<string, string>();

/** `createdAt` → `created_at`, `Plan Name` → `plan_name`, `2fa` → `_2fa`, as dlt's snake_case naming does. */
export function snakeCase(name: string): string {
  let cached = snakeCache.get(name);
  if (cached === undefined) {
    cached = toSnakeCase(name);
    // API field names repeat on every record; the cache bounds itself against unbounded key spaces.
    if (snakeCache.size < 50_000) snakeCache.set(name, cached);
  }
  return cached;
}

function toSnakeCase(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+(?=[a-z0-9])/, (m) => (m.length > 1 ? '_' : m));
  return /^[0-9]/.test(snake) ? `_${snake}` : snake || '_';
}

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

/** Column name for `key` under `prefix`, cached: the same few keys repeat on every record. */
const columnNames = new Map<string, Map<string, string>>();
function columnName(prefix: string, key: string): string {
  let byKey = columnNames.get(prefix);
  if (!byKey) {
    byKey = new Map();
    if (columnNames.size < 10_000) columnNames.set(prefix, byKey);
  }
  let name = byKey.get(key);
  if (name === undefined) {
    name = prefix + snakeCase(key);
    if (byKey.size < 10_000) byKey.set(key, name);
  }
  return name;
}

/** Materialises rows as objects (tests, small tables); the loader reads the columns directly. */
export function rowsOf(table: NormalizedTable): Row[] {
  const rows: Row[] = Array.from({ length: table.length }, () => ({}));
  for (const [name, values] of table.values) {
    for (let i = 0; i < table.length; i++) if (values[i] !== undefined) rows[i]![name] = values[i];
  }
  return rows;
}

/**
 * Builds tables column by column (one array per column, indexed by row) instead of one object per row:
 * records with dozens of fields would otherwise become slow dictionary-mode objects.
 */
export class Normalizer {
  readonly tables = new Map<string, NormalizedTable>();
  #options: NormalizeOptions & { maxNesting: number };

  constructor(options: NormalizeOptions) {
    this.#options = { maxNesting: 8, ...options };
  }

  #table(name: string, parent: string | null): NormalizedTable {
    let table = this.tables.get(name);
    if (!table) {
      table = { name, parent, columns: new Map(), values: new Map(), length: 0 };
      this.tables.set(name, table);
    }
    return table;
  }

  #observe(table: NormalizedTable, column: string, type: ColumnType): void {
    const before = table.columns.get(column);
    if (before === type) return;
    const hint = table.parent === null ? this.#options.hints?.[column] : undefined;
    table.columns.set(column, hint ?? widen(before ?? 'unknown', type));
  }

  /**
   * Writes `value` into the current row (index `table.length`). Arrays are padded with explicit
   * undefined, never left with holes: holey arrays make every later read a slow prototype lookup.
   */
  #put(table: NormalizedTable, column: string, value: unknown): void {
    let values = table.values.get(column);
    if (!values) {
      values = [];
      table.values.set(column, values);
    }
    while (values.length < table.length) values.push(undefined);
    if (values.length === table.length) values.push(value);
    else values[table.length] = value;
  }

  #set(table: NormalizedTable, column: string, value: unknown, type: ColumnType): void {
    this.#put(table, column, value);
    this.#observe(table, column, type);
  }

  /** Infers a scalar's type only when it could still change the column's (VARCHAR absorbs everything). */
  #setScalar(table: NormalizedTable, column: string, value: string | number | boolean): void {
    this.#put(table, column, value);
    const before = table.columns.get(column);
    if (before === 'VARCHAR' && typeof value === 'string') return;
    this.#observe(table, column, inferScalar(value));
  }

  #current(table: NormalizedTable, column: string): unknown {
    return table.values.get(column)?.[table.length];
  }

  /** Adds records (one API page) to the root table and its child tables. */
  add(records: unknown[]): void {
    const root = this.#table(this.#options.table, null);
    const key = this.#options.primaryKey;
    for (const record of records) {
      const children: [string, unknown[]][] = [];
      this.#flatten(root, this.#unwrap(isRecord(record) ? record : { value: record }), '', children, 0);
      const id = this.#keyOf(root, key) ?? hashId(record);
      this.#set(root, '_dlt_id', id, 'VARCHAR');
      root.length += 1;
      for (const [field, items] of children) this.#addChildren(root.name, field, items, id, id, 1);
    }
  }

  /** The current row's primary key as text (parts joined by `|`), or null when the key or a part is missing. */
  #keyOf(table: NormalizedTable, key: string[] | undefined): string | null {
    if (!key || key.length === 0) return null;
    // One column, the usual case: no array, and a string key is its own text (a sync makes this per record).
    if (key.length === 1) {
      const value = this.#current(table, key[0]!);
      return value === undefined || value === null ? null : String(value);
    }
    const parts = key.map((k) => this.#current(table, k));
    return parts.every((p) => p !== undefined && p !== null) ? parts.map(String).join('|') : null;
  }

  #unwrap(record: Record<string, unknown>): Record<string, unknown> {
    const fields = this.#options.unwrap;
    if (!fields || fields.length === 0) return record;
    const out: Record<string, unknown> = {};
    for (const field of fields) if (isRecord(record[field])) Object.assign(out, record[field]);
    for (const [key, value] of Object.entries(record)) {
      if (!fields.includes(key) || !isRecord(value)) out[key] = value;
    }
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
      const children: [string, unknown[]][] = [];
      this.#flatten(table, isRecord(item) ? item : { value: item }, '', children, depth);
      const id = `${parentId}/${field}/${index}`;
      this.#set(table, '_dlt_parent_id', parentId, 'VARCHAR');
      this.#set(table, '_dlt_root_id', rootId, 'VARCHAR');
      this.#set(table, '_dlt_list_idx', index, 'BIGINT');
      this.#set(table, '_dlt_id', id, 'VARCHAR');
      table.length += 1;
      for (const [childField, childItems] of children) {
        this.#addChildren(table.name, childField, childItems, id, rootId, depth + 1);
      }
    });
  }

  #flatten(
    table: NormalizedTable,
    object: Record<string, unknown>,
    prefix: string,
    children: [string, unknown[]][],
    depth: number,
  ): void {
    for (const rawKey in object) {
      const value = object[rawKey];
      const column = columnName(prefix, rawKey);
      if (value === null || value === undefined) {
        this.#observe(table, column, 'unknown');
      } else if (typeof value !== 'object') {
        this.#setScalar(table, column, value as string | number | boolean);
      } else if (Array.isArray(value)) {
        this.#array(table, children, column, value, depth);
      } else if (depth >= this.#options.maxNesting) {
        this.#set(table, column, JSON.stringify(value), 'VARCHAR');
      } else {
        this.#flatten(table, value as Record<string, unknown>, `${column}__`, children, depth + 1);
      }
    }
  }

  #array(
    table: NormalizedTable,
    children: [string, unknown[]][],
    column: string,
    value: unknown[],
    depth: number,
  ) {
    // One pass and no copy: most lists are empty or short, and one is met per field per record.
    let present = 0;
    let records = 0;
    let nested = false;
    let element: ColumnType = 'unknown';
    for (const v of value) {
      if (v === null || v === undefined) continue;
      present += 1;
      if (isRecord(v)) records += 1;
      else if (typeof v === 'object') nested = true;
      else element = widen(element, inferScalar(v as string | number | boolean));
    }
    if (present === 0) {
      // An empty list says nothing about its kind: it may be a child table elsewhere. Only keep the value.
      this.#put(table, column, value);
      return;
    }
    if (records === present) {
      if (depth >= this.#options.maxNesting) this.#set(table, column, JSON.stringify(value), 'VARCHAR');
      else children.push([column, value]);
      return;
    }
    if (records > 0 || nested) {
      this.#set(table, column, JSON.stringify(value), 'VARCHAR');
      return;
    }
    this.#set(table, column, value, { list: element });
  }
}

/** Normalises one batch of records in one call. */
export function normalize(records: unknown[], options: NormalizeOptions): Map<string, NormalizedTable> {
  const normalizer = new Normalizer(options);
  normalizer.add(records);
  return normalizer.tables;
}
