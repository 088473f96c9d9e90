// Which resources a sync runs, in dependency order, with the annotations and hints their specs declare.
import type { Annotations } from '../db.ts';
import type { ConnectorSpec, ResourceSpec } from '../connectors/spec.ts';
import { ConfigError } from '../errors.ts';
import type { ColumnType } from '../ingest/types.ts';

/** Selected resources (or the requested ones), plus the parents they need, parents first. */
export function planResources(spec: ConnectorSpec, requested?: string[] | null): ResourceSpec[] {
  const byName = new Map(spec.resources.map((r) => [r.name, r]));
  const unknown = (requested ?? []).filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      'invalid_argument',
      `Unknown resource ${unknown.map((u) => `"${u}"`).join(', ')} for ${spec.name}. Available: ${[...byName.keys()].join(', ')}`,
    );
  }
  const wanted =
    requested && requested.length > 0
      ? requested
      : spec.resources.filter((r) => r.selected).map((r) => r.name);
  const ordered: ResourceSpec[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.some((r) => r.name === name)) return;
    if (visiting.has(name))
      throw new ConfigError('config_invalid', `${spec.name}: resource "${name}" depends on itself.`);
    visiting.add(name);
    const resource = byName.get(name)!;
    if (resource.parent) visit(resource.parent.resource);
    visiting.delete(name);
    ordered.push(resource);
  };
  for (const name of wanted) visit(name);
  return ordered;
}

export function annotationsOf(spec: ConnectorSpec): Annotations {
  const out: Annotations = {};
  for (const r of spec.resources) {
    const columns = Object.entries(r.columns).filter(([, c]) => c.description || c.note);
    if (columns.length > 0) {
      out[r.name] = Object.fromEntries(
        columns.map(([name, c]) => [name, { description: c.description ?? null, note: c.note ?? null }]),
      );
    }
  }
  return out;
}

export function typeHints(resource: ResourceSpec): Record<string, ColumnType> {
  return Object.fromEntries(
    Object.entries(resource.columns).flatMap(([name, c]) => (c.type ? [[name, c.type] as const] : [])),
  );
}

export function primaryKey(resource: ResourceSpec): string[] {
  return Array.isArray(resource.primary_key) ? resource.primary_key : [resource.primary_key];
}
