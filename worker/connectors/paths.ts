// Dot paths into JSON and `{placeholder}` substitution, shared by paginators, auth and the fetcher.

export function getPath(value: unknown, path: string): unknown {
  if (path === '' || path === '$') return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export type Scope = Record<string, string | number | boolean | null | undefined>;

const PLACEHOLDER = /\{([a-zA-Z_][\w.]*)\}/g;

/**
 * Replaces `{name}` with `scope[name]`. Unknown names stay as written, so a literal brace in a
 * GraphQL query survives. `encode` URL-encodes values substituted into paths.
 */
export function substitute(template: string, scope: Scope, encode = false): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = scope[name];
    if (value === undefined || value === null) return whole;
    return encode ? encodeURIComponent(String(value)).replaceAll('%2F', '/') : String(value);
  });
}

/** A template that is exactly one placeholder keeps the value's own type (numbers stay numbers in JSON bodies). */
export function substituteDeep(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') {
    const whole = /^\{([a-zA-Z_][\w.]*)\}$/.exec(value);
    if (whole && scope[whole[1]!] !== undefined) return scope[whole[1]!];
    return substitute(value, scope);
  }
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, scope)]));
  }
  return value;
}

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
