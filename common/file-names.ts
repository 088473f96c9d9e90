// The table name a file suggests, shared by the engine's import (its default) and the import dialog (prefilled).

/** A table name from a file name: the stem in snake_case ("Q3 Sales-2024.csv" → "q3_sales_2024"), at most 63 characters. */
export function tableNameFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const stem = (dot > 0 ? fileName.slice(0, dot) : fileName).trim();
  const snake = stem
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  const name = /^[0-9]/.test(snake) ? `_${snake}` : snake;
  return (name || 'file').slice(0, 63);
}
