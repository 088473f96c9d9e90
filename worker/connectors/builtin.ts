// The connectors that ship with Dinobase: every JSON file in ./specs, found at build time (add a file, get a connector).
import { ConnectorRegistry } from './registry.ts';

const files = import.meta.glob<unknown>('./specs/*.json', { eager: true, import: 'default' });

export function builtinConnectors(): ConnectorRegistry {
  return new ConnectorRegistry(Object.entries(files).map(([path, spec]) => ({ origin: path, spec })));
}
