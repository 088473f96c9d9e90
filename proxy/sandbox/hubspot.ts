// Fake HubSpot CRM v3 API (api.hubapi.com): objects list/read/search/write, owners, bearer auth, HubSpot's errors.
import { Hono, type Context } from 'hono';
import type { HubSpotData } from '../../worker/sample/dataset.ts';
import { bearer, Control, IdSource, jsonResponse, type SandboxControl, controlHandle } from './control.ts';
import {
  decodeCursor,
  encodeCursor,
  HubSpotError,
  limitParam,
  parseJson,
  parseSearch,
  search,
  SearchInputError,
} from './hubspot-search.ts';
import {
  ALWAYS,
  DEFAULT_PROPERTIES,
  HubSpotStore,
  type HubSpotRecord,
  type HubSpotType,
  type PropertyValue,
} from './hubspot-store.ts';

export { HubSpotStore, type HubSpotRecord, type HubSpotType } from './hubspot-store.ts';

export interface HubSpotControl extends SandboxControl {
  readonly store: HubSpotStore;
  /** Same effect as `PATCH /crm/v3/objects/<type>/<id>` (lastmodifieddate moves to now). */
  update(type: HubSpotType, id: string, properties: Record<string, PropertyValue>): HubSpotRecord;
  /** Defines a new property on `type` and sets it on every stored object, as when a portal adds a field. */
  addProperty(type: HubSpotType, name: string, valueFor: (record: HubSpotRecord) => PropertyValue): void;
}

export interface HubSpotSandboxOptions {
  data: HubSpotData;
  control: Control;
  token: string;
  ids: IdSource;
}

type Env = { Variables: { correlationId: string } };
export type HubSpotEnv = Env;

const TYPE_ALIASES: Record<string, HubSpotType> = {
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  companies: 'companies',
  company: 'companies',
  '0-2': 'companies',
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
};
const AUTH_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export function createHubSpotSandbox(options: HubSpotSandboxOptions): {
  app: Hono<Env>;
  control: HubSpotControl;
} {
  const { control, ids, token } = options;
  const store = new HubSpotStore(options.data);
  const app = new Hono<Env>();
  const appId = 4_000_000 + [...token].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 1_000_000, 7);

  const fail = (c: Context<Env>, e: HubSpotError) =>
    jsonResponse(
      {
        status: 'error',
        message: e.message,
        correlationId: c.get('correlationId'),
        ...e.extra,
        category: e.category,
      },
      e.status,
    );
  const rateLimited = (c: Context<Env>, retryAfter: number) =>
    jsonResponse(
      {
        status: 'error',
        message: 'You have reached your secondly limit.',
        errorType: 'RATE_LIMIT',
        correlationId: c.get('correlationId'),
        policyName: 'SECONDLY',
        groupName: `publicapi:private-app:${appId}`,
      },
      429,
      { 'Retry-After': String(retryAfter) },
    );
  const typeOf = (raw: string): HubSpotType => {
    const type = TYPE_ALIASES[raw.toLowerCase()];
    if (!type) throw new HubSpotError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${raw}`);
    return type;
  };
  const notFound = (id: string) =>
    new HubSpotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', {
      context: { id: [id] },
    });
  const listParam = (c: Context<Env>, name: string): string[] | undefined => {
    const values = c.req.queries(name);
    return values
      ?.flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  };

  /** The object as HubSpot serialises it: only the asked-for (or default) properties, associations on request. */
  const view = (type: HubSpotType, r: HubSpotRecord, props?: string[], assoc?: HubSpotType[]) => {
    const names = props === undefined ? [...DEFAULT_PROPERTIES[type], ...ALWAYS] : [...props, ...ALWAYS];
    if (type !== 'contacts' && props === undefined) names.push('hs_lastmodifieddate');
    const properties: Record<string, PropertyValue> = {};
    for (const n of names) if (store.hasProperty(type, n)) properties[n] = r.properties[n] ?? null;
    const out: Record<string, unknown> = {
      id: r.id,
      properties,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      archived: r.archived,
    };
    if (r.archivedAt) out.archivedAt = r.archivedAt;
    if (assoc && assoc.length > 0) {
      const associations = store.associations(type, r, assoc);
      if (Object.keys(associations).length > 0) out.associations = associations;
    }
    return out;
  };
  const fullView = (r: HubSpotRecord) => ({
    id: r.id,
    properties: r.properties,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    archived: r.archived,
  });
  const bodyProperties = async (c: Context<Env>): Promise<Record<string, unknown>> => {
    const body = parseJson(await c.req.text());
    const props =
      typeof body === 'object' && body !== null && 'properties' in body ? body.properties : undefined;
    if (typeof props !== 'object' || props === null || Array.isArray(props)) {
      throw new HubSpotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: "properties" must be an object.');
    }
    return props as Record<string, unknown>;
  };
  const validated = (type: HubSpotType, props: Record<string, unknown>, creating: boolean) => {
    const problems = store.validate(type, props, creating);
    if (problems.length === 0) return;
    const detail = problems.map((p) => ({
      isValid: false,
      message: p.message,
      error: p.error,
      name: p.name,
      localizedErrorMessage: p.message,
    }));
    throw new HubSpotError(
      400,
      'VALIDATION_ERROR',
      `Property values were not valid: ${JSON.stringify(detail)}`,
    );
  };
  const existing = (type: HubSpotType, id: string, archived = false) => {
    const r = store.get(type, id);
    if (!r || r.archived !== archived) throw notFound(id);
    return r;
  };
  const assocTypes = (c: Context<Env>) => listParam(c, 'associations')?.map(typeOf);

  app.use('*', async (c, next) => {
    c.set('correlationId', ids.uuid());
    await next();
    c.res.headers.set('X-HubSpot-Correlation-Id', c.get('correlationId'));
  });
  app.use('*', control.middleware(rateLimited));
  app.use('*', async (c, next) => {
    const presented = bearer(c.req.header('Authorization'));
    if (presented !== token) {
      return jsonResponse(
        {
          status: 'error',
          message: AUTH_MESSAGE,
          correlationId: c.get('correlationId'),
          category: 'INVALID_AUTHENTICATION',
        },
        401,
      );
    }
    const admission = control.admit(presented);
    if (!admission.allowed) return rateLimited(c, admission.retryAfter);
    await next();
    c.res.headers.set(
      'X-HubSpot-RateLimit-Interval-Milliseconds',
      String(control.rateLimit.perSeconds * 1000),
    );
    c.res.headers.set('X-HubSpot-RateLimit-Max', String(admission.limit));
    c.res.headers.set('X-HubSpot-RateLimit-Remaining', String(admission.remaining));
  });

  /** `paging.next` with the absolute link HubSpot returns, built from the URL this request came in on. */
  const paging = (c: Context<Env>, next: number | undefined) => {
    if (next === undefined) return {};
    const after = encodeCursor(next);
    const url = new URL(c.req.url);
    url.searchParams.set('after', after);
    return { paging: { next: { after, link: url.toString() } } };
  };

  app.get('/crm/v3/owners', (c) => {
    const limit = limitParam(c.req.query('limit'), 100, 500);
    const email = c.req.query('email');
    const from = decodeCursor(c.req.query('after'));
    const matching = store.owners.filter((o) => Number(o.id) >= from && (!email || o.email === email));
    const results = matching.slice(0, limit);
    const next = matching[limit];
    return c.json({ results, ...paging(c, next ? Number(next.id) : undefined) });
  });

  app.get('/crm/v3/owners/:id', (c) => {
    const owner = store.owners.find((o) => o.id === c.req.param('id'));
    if (!owner) throw notFound(c.req.param('id'));
    return c.json(owner);
  });

  app.get('/crm/v3/objects/:type', (c) => {
    const type = typeOf(c.req.param('type'));
    const limit = limitParam(c.req.query('limit'), 10, 100);
    const archived = c.req.query('archived') === 'true';
    const page = store.page(type, decodeCursor(c.req.query('after')), limit, archived);
    const props = listParam(c, 'properties');
    const assoc = assocTypes(c);
    return c.json({ results: page.results.map((r) => view(type, r, props, assoc)), ...paging(c, page.next) });
  });

  app.post('/crm/v3/objects/:type/search', async (c) => {
    const type = typeOf(c.req.param('type'));
    let req;
    try {
      req = parseSearch(parseJson(await c.req.text()));
    } catch (e) {
      if (e instanceof SearchInputError) throw new HubSpotError(400, 'VALIDATION_ERROR', e.message);
      throw e;
    }
    const found = search(store.list(type), req, DEFAULT_PROPERTIES[type]);
    return c.json({
      total: found.total,
      results: found.page.map((r) => view(type, r, req.properties)),
      ...(found.nextAfter === undefined ? {} : { paging: { next: { after: String(found.nextAfter) } } }),
    });
  });

  app.get('/crm/v3/objects/:type/:id', (c) => {
    const type = typeOf(c.req.param('type'));
    const idProperty = c.req.query('idProperty');
    const key = c.req.param('id');
    const archived = c.req.query('archived') === 'true';
    const record = idProperty
      ? store.list(type, archived).find((r) => r.properties[idProperty] === key)
      : store.get(type, key);
    if (!record || record.archived !== archived) throw notFound(key);
    return c.json(view(type, record, listParam(c, 'properties'), assocTypes(c)));
  });

  app.post('/crm/v3/objects/:type', async (c) => {
    const type = typeOf(c.req.param('type'));
    const props = await bodyProperties(c);
    validated(type, props, true);
    return c.json(fullView(store.create(type, props, control.now())), 201);
  });

  app.patch('/crm/v3/objects/:type/:id', async (c) => {
    const type = typeOf(c.req.param('type'));
    const id = c.req.param('id');
    existing(type, id);
    const props = await bodyProperties(c);
    validated(type, props, false);
    return c.json(fullView(store.update(type, id, props, control.now())));
  });

  app.delete('/crm/v3/objects/:type/:id', (c) => {
    const type = typeOf(c.req.param('type'));
    const id = c.req.param('id');
    const r = store.get(type, id);
    if (!r) throw notFound(id);
    if (!r.archived) store.archive(type, id, control.now());
    return c.body(null, 204);
  });

  app.all('*', (c) =>
    fail(
      c,
      new HubSpotError(
        404,
        'OBJECT_NOT_FOUND',
        `No route found for ${c.req.method} ${new URL(c.req.url).pathname}`,
      ),
    ),
  );
  app.onError((error, c) => {
    if (error instanceof HubSpotError) return fail(c, error);
    console.error(error);
    return fail(c, new HubSpotError(500, 'INTERNAL_ERROR', 'internal error'));
  });

  const hubspotControl = controlHandle<HubSpotControl>(control, {
    store,
    update: (type, id, properties) => {
      existing(type, id);
      validated(type, properties, false);
      return store.update(type, id, properties, control.now());
    },
    addProperty: (type, name, valueFor) => store.addProperty(type, name, valueFor),
  });
  return { app, control: hubspotControl };
}
