// Column types the loader infers from JSON, and how two observations of one column widen into one type.

export type ScalarType = 'BOOLEAN' | 'BIGINT' | 'DOUBLE' | 'TIMESTAMP' | 'DATE' | 'VARCHAR';
/** `unknown` = only nulls or empty lists seen so far; it becomes VARCHAR if nothing better arrives. */
export type ColumnType = ScalarType | 'unknown' | { list: ColumnType };

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function inferScalar(value: string | number | boolean): ScalarType {
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'BIGINT' : 'DOUBLE';
  // Cheap pre-check: dates start with four digits and a dash.
  const c = value.charCodeAt(0);
  if (value.length < 10 || c < 48 || c > 57 || value.charCodeAt(4) !== 45) return 'VARCHAR';
  if (ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')))) return 'TIMESTAMP';
  if (ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))) return 'DATE';
  return 'VARCHAR';
}

export function sameType(a: ColumnType, b: ColumnType): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return sameType(a.list, b.list);
}

/** The narrowest type holding both; incompatible pairs fall back to VARCHAR (the value's text). */
export function widen(a: ColumnType, b: ColumnType): ColumnType {
  if (a === 'unknown') return b;
  if (b === 'unknown') return a;
  if (typeof a === 'object' || typeof b === 'object') {
    return typeof a === 'object' && typeof b === 'object' ? { list: widen(a.list, b.list) } : 'VARCHAR';
  }
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('BIGINT') && pair.has('DOUBLE')) return 'DOUBLE';
  if (pair.has('DATE') && pair.has('TIMESTAMP')) return 'TIMESTAMP';
  return 'VARCHAR';
}

export function resolved(type: ColumnType): ColumnType {
  if (type === 'unknown') return 'VARCHAR';
  return typeof type === 'object' ? { list: resolved(type.list) } : type;
}

export function sqlType(type: ColumnType): string {
  return typeof type === 'object' ? `${sqlType(type.list)}[]` : type === 'unknown' ? 'VARCHAR' : type;
}

/** Parses a DuckDB type name from information_schema back into a ColumnType, or null if the loader never makes it. */
export function parseSqlType(name: string): ColumnType | null {
  if (name.endsWith('[]')) {
    const inner = parseSqlType(name.slice(0, -2));
    return inner ? { list: inner } : null;
  }
  const map: Record<string, ScalarType> = {
    BOOLEAN: 'BOOLEAN',
    BIGINT: 'BIGINT',
    INTEGER: 'BIGINT',
    DOUBLE: 'DOUBLE',
    FLOAT: 'DOUBLE',
    TIMESTAMP: 'TIMESTAMP',
    DATE: 'DATE',
    VARCHAR: 'VARCHAR',
  };
  return map[name] ?? null;
}

export interface ColumnSchema {
  name: string;
  type: ColumnType;
}
