// The add-source form's labels: a person's words from the connector's own description, not a field name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialLabel } from './credentials.ts';

/** The built-in connectors' credential fields, read from their JSON specs (web/ never imports the worker's registry). */
function builtinFields(): { connector: string; name: string; description: string }[] {
  const dir = join(import.meta.dirname, '../../worker/connectors/specs');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) => {
      const spec = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        name: string;
        credentials: { name: string; description?: string }[];
      };
      return spec.credentials.map((f) => ({
        connector: spec.name,
        name: f.name,
        description: f.description ?? '',
      }));
    });
}

describe('credentialLabel', () => {
  it('takes the words before the first detail of the description', () => {
    expect(
      credentialLabel({
        name: 'access_token',
        description:
          'Personal access token (classic ghp_... or fine-grained github_pat_...) with repo read access.',
      }),
    ).toBe('Personal access token');
    expect(credentialLabel({ name: 'api_key', description: 'Personal API key (lin_api_...).' })).toBe(
      'Personal API key',
    );
    expect(credentialLabel({ name: 'account', description: 'Account id, as in the dashboard URL.' })).toBe(
      'Account id',
    );
  });

  it('falls back to the field name in words when there is no short description', () => {
    expect(credentialLabel({ name: 'access_token', description: '' })).toBe('Access token');
    expect(credentialLabel({ name: 'subdomain', description: 'x'.repeat(80) })).toBe('Subdomain');
  });

  it('gives every built-in connector field a label that is not its raw name', () => {
    const fields = builtinFields();
    expect(fields.length).toBeGreaterThanOrEqual(4);
    for (const field of fields) {
      const label = credentialLabel(field);
      expect(label, `${field.connector}.${field.name}`).not.toContain('_');
      expect(label.length).toBeGreaterThan(3);
    }
  });
});
