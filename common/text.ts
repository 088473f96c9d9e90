// Values as plain text for CSV fields and copied cells: shared by the grid's export and the engine's.

/** A value as `columnToJson` renders it (worker/values.ts): what the text forms are made from. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/** NULL is empty, text is itself, LIST/STRUCT/MAP are their JSON. */
export function valueText(value: PlainValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** NULL is an empty field and an empty string is `""`, the way DuckDB's COPY … (FORMAT csv) tells them apart. */
export function csvField(value: PlainValue): string {
  if (value === null) return '';
  const text = valueText(value);
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
