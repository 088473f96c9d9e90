// Validated connector specs by type, with errors that list what is available.
import { ConfigError } from '../errors.ts';
import { parseConnectorSpec, type ConnectorSpec } from './spec.ts';

export class ConnectorRegistry {
  #specs = new Map<string, ConnectorSpec>();

  constructor(entries: { origin: string; spec: unknown }[] = []) {
    for (const { origin, spec } of entries) this.add(spec, origin);
  }

  /** Validates and registers a spec; a later spec with the same name replaces the earlier one. */
  add(spec: unknown, origin = 'connector spec'): ConnectorSpec {
    const parsed = parseConnectorSpec(spec, origin);
    this.#specs.set(parsed.name, parsed);
    return parsed;
  }

  get(type: string): ConnectorSpec {
    const spec = this.#specs.get(type);
    if (!spec) {
      throw new ConfigError(
        'invalid_argument',
        `Unknown source type "${type}". Available: ${this.names().join(', ')}`,
      );
    }
    return spec;
  }

  has(type: string): boolean {
    return this.#specs.has(type);
  }

  names(): string[] {
    return [...this.#specs.keys()].sort();
  }
}
