// Proves docs/CONNECTORS.md's worked example: its JSON alone adds a connector that syncs over real HTTP.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../worker/connectors/builtin.ts';
import type { DinobaseDB } from '../worker/db.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { memoryDB } from '../worker/testing.ts';

const doc = readFileSync(new URL('../docs/CONNECTORS.md', import.meta.url), 'utf8');
const example = JSON.parse(/## Worked example[\s\S]*?```json\n([\s\S]*?)\n```/.exec(doc)![1]!) as {
  name: string;
};

const persons = Array.from({ length: 230 }, (_, i) => ({
  id: i + 1,
  name: `Person ${i + 1}`,
  primary_email: `person${i + 1}@acme.com`,
  org_id: { value: 7, name: 'Acme' },
  email: [{ value: `person${i + 1}@acme.com`, primary: true, label: 'work' }],
}));

/** Pipedrive's v1 list shape: `{success, data, additional_data.pagination}`, token in the query. */
function pipedrive(): Hono {
  const app = new Hono();
  app.get('/v1/:resource', (c) => {
    if (c.req.query('api_token') !== 'pd_token') {
      return c.json(
        { success: false, error: 'You need to be authorized to make this request.', errorCode: 401 },
        401,
      );
    }
    const rows = c.req.param('resource') === 'persons' ? persons : [];
    const start = Number(c.req.query('start') ?? 0);
    const limit = Math.min(Number(c.req.query('limit') ?? 100), 500);
    const data = rows.slice(start, start + limit);
    const more = start + limit < rows.length;
    return c.json({
      success: true,
      data: data.length > 0 ? data : null,
      additional_data: {
        pagination: {
          start,
          limit,
          more_items_in_collection: more,
          ...(more ? { next_start: start + limit } : {}),
        },
      },
    });
  });
  return app;
}

let db: DinobaseDB;
let server: ReturnType<typeof serve>;
let baseUrl: string;

beforeAll(async () => {
  db = memoryDB();
  await new Promise<void>((resolve) => {
    server = serve({ fetch: pipedrive().fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      baseUrl = `http://127.0.0.1:${info.port}/`;
      resolve();
    });
  });
});
afterAll(async () => {
  server.close();
  await db.close();
});

describe('docs/CONNECTORS.md worked example', () => {
  it('is a valid spec that syncs with no engine change', async () => {
    const connectors = builtinConnectors();
    connectors.add(example, 'docs/CONNECTORS.md');
    const engine = new SyncEngine(db, { connectors });
    const result = await engine.sync('pipedrive', {
      type: 'pipedrive',
      base_url: baseUrl,
      credentials: { api_token: 'pd_token' },
      resources: ['persons'],
    });
    expect(result).toMatchObject({ status: 'success', error: null });
    expect(result.resources).toEqual([{ name: 'persons', pages: 3, rows: 230 }]);
    expect(await db.query('SELECT count(*) AS n, count(DISTINCT id) AS d FROM pipedrive.persons')).toEqual([
      { n: 230, d: 230 },
    ]);
    expect(await db.query('SELECT org_id__name AS org FROM pipedrive.persons WHERE id = 1')).toEqual([
      { org: 'Acme' },
    ]);
    expect(await db.getRowCount('pipedrive', 'persons__email')).toBe(230);
    expect(await db.getColumnAnnotations('pipedrive', 'persons')).toMatchObject({
      primary_email: { note: 'Join key with stripe.customers.email' },
    });
  });

  it('names the source and status when the token is wrong, and never shows the token', async () => {
    const connectors = builtinConnectors();
    connectors.add(example);
    const result = await new SyncEngine(db, { connectors }).sync('pipedrive', {
      type: 'pipedrive',
      base_url: baseUrl,
      credentials: { api_token: 'wrong-token' },
      resources: ['persons'],
    });
    expect(result.status).toBe('error');
    expect(result.error).toMatch(
      /^pipedrive\.persons: page 1: HTTP 401 from GET .*api_token=\*\*\*.*You need to be authorized/,
    );
    expect(result.error).not.toContain('wrong-token');
  });
});
