// The proxy's connector registry: the same built-in spec files the worker bundles, read from disk.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectorRegistry } from '../worker/connectors/registry.ts';

const BUILTIN_DIR = fileURLToPath(new URL('../worker/connectors/specs/', import.meta.url));

function specsIn(dir: string): { origin: string; spec: unknown }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const origin = join(dir, file);
      let spec: unknown;
      try {
        spec = JSON.parse(readFileSync(origin, 'utf8'));
      } catch (error) {
        throw new Error(`Connector spec ${origin} is not valid JSON: ${(error as Error).message}`, {
          cause: error,
        });
      }
      return { origin, spec };
    });
}

/** The same specs the worker bundles, so the relay and the worker agree on hosts and auth. */
export function loadConnectors(dir = BUILTIN_DIR): ConnectorRegistry {
  return new ConnectorRegistry(specsIn(dir));
}
