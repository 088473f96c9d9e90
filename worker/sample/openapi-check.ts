// Minimal OpenAPI 3.0 schema checker used by the sample-data tests to hold GitHub objects to GitHub's own schemas.

export interface OpenApiSchema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  format?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  oneOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  allOf?: OpenApiSchema[];
}

export interface OpenApiDocument {
  components: { schemas: Record<string, OpenApiSchema> };
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function resolve(doc: OpenApiDocument, schema: OpenApiSchema): OpenApiSchema {
  let s = schema;
  for (let hops = 0; s.$ref; hops++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target || hops > 20) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

function typeOk(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

/**
 * Validates `value` against `schema` and returns human-readable problems (empty = valid). Checks required keys,
 * JSON types (with `nullable` / type arrays), enums, date-time and uri formats, recursing through $ref, properties,
 * items and oneOf/anyOf/allOf.
 */
export function checkSchema(
  doc: OpenApiDocument,
  value: unknown,
  schema: OpenApiSchema,
  path = '$',
): string[] {
  const s = resolve(doc, schema);
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  if (value === null) {
    const untyped = types.length === 0 && !s.properties && !s.oneOf && !s.anyOf && !s.allOf;
    const ok = s.nullable === true || types.includes('null') || untyped;
    return ok ? [] : [`${path}: null is not allowed`];
  }
  if (value === undefined) return [`${path}: undefined is not JSON`];
  const errors: string[] = [];
  for (const sub of s.allOf ?? []) errors.push(...checkSchema(doc, value, sub, path));
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) {
    const matching = alternatives.filter((alt) => checkSchema(doc, value, alt, path).length === 0).length;
    if (matching === 0 || (s.oneOf && matching > 1))
      errors.push(`${path}: matches ${matching} of the alternatives`);
  }
  if (types.length > 0 && !types.some((t) => typeOk(value, t))) {
    return [...errors, `${path}: expected ${types.join('|')}, got ${JSON.stringify(value)?.slice(0, 60)}`];
  }
  if (s.enum && !s.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'string' && s.format === 'date-time' && !DATE_TIME.test(value)) {
    errors.push(`${path}: '${value}' is not a date-time`);
  }
  if (typeof value === 'string' && s.format === 'uri' && !URL.canParse(value)) {
    errors.push(`${path}: '${value}' is not a uri`);
  }
  if (Array.isArray(value)) {
    if (s.items)
      value.forEach((item, i) =>
        errors.push(...checkSchema(doc, item, s.items as OpenApiSchema, `${path}[${i}]`)),
      );
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? [])
      if (!(key in obj)) errors.push(`${path}.${key}: required but missing`);
    for (const [key, propSchema] of Object.entries(s.properties ?? {})) {
      if (key in obj) errors.push(...checkSchema(doc, obj[key], propSchema, `${path}.${key}`));
    }
  }
  return errors;
}
