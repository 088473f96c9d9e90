// The connectors that ship with Dinobase: every JSON file in ./specs, found at build time (add a file, get a connector).
import { ConfigError } from '../errors.ts';
import { ConnectorRegistry } from './registry.ts';

function bundledSpecs(): Record<string, unknown> {
  try {
    // Vite and Vitest replace this call with the files' contents at build time.
    return import.meta.glob<unknown>('./specs/*.json', { eager: true, import: 'default' });
  } catch {
    // Plain Node (tsx) has no import.meta.glob; such callers pass their own registry.
    return {};
  }
}

const files = bundledSpecs();

export function builtinConnectors(): ConnectorRegistry {
  if (Object.keys(files).length === 0) {
    throw new ConfigError(
      'config_invalid',
      'No connector specs are bundled in this build (import.meta.glob is a Vite feature). Outside Vite, pass ' +
        '`connectors: new ConnectorRegistry([...])` built from worker/connectors/specs/*.json.',
    );
  }
  return new ConnectorRegistry(Object.entries(files).map(([path, spec]) => ({ origin: path, spec })));
}
