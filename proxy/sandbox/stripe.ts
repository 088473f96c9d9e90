// Fake Stripe API (api.stripe.com /v1): auth, newest-first lists, retrieves, form-encoded writes, idempotency, events.
import { Hono, type Context } from 'hono';
import type { JsonObject, JsonValue, StripeData } from '../../worker/sample/dataset.ts';
import {
  bearer,
  Control,
  IdSource,
  jsonResponse,
  relativePath,
  type SandboxControl,
  controlHandle,
} from './control.ts';
import { decodeForm, expandParam, StripeError, type FormObject } from './stripe-forms.ts';
import { expand, parseList } from './stripe-lists.ts';
import {
  SINGULAR,
  STRIPE_RESOURCES,
  StripeStore,
  type StripeRecord,
  type StripeResource,
} from './stripe-store.ts';
import { StripeWriter, type WritableResource, type WriteOrigin } from './stripe-writes.ts';

export { StripeStore, type StripeRecord, type StripeResource } from './stripe-store.ts';

export const STRIPE_API_VERSION = '2025-09-30.clover';

export interface StripeControl extends SandboxControl {
  readonly store: StripeStore;
  /** Same effect as `POST /v1/<resource>/<id>` with these (already typed) fields, event included. */
  update(resource: StripeResource, id: string, patch: JsonObject): StripeRecord;
  /** Adds a new top-level field to every stored object of `resource`, as when Stripe ships a new field. */
  addField(resource: StripeResource, key: string, valueFor: (obj: StripeRecord) => JsonValue): void;
}

export interface StripeSandboxOptions {
  data: StripeData;
  control: Control;
  apiKey: string;
  ids: IdSource;
}

export type StripeEnv = { Variables: { requestId: string; apiKey: string; path: string } };
type Env = StripeEnv;

interface SavedResponse {
  fingerprint: string;
  status: number;
  body: string;
  requestId: string;
}

const WRITABLE: readonly WritableResource[] = ['customers', 'products', 'prices', 'subscriptions'];
const CREATABLE: readonly WritableResource[] = ['customers', 'products', 'prices'];
const DELETABLE: readonly WritableResource[] = ['customers', 'subscriptions'];

const NO_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";
const RATE_LIMITED = {
  error: {
    message:
      'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
    type: 'rate_limit_error',
    code: 'rate_limit',
  },
};

/** Stripe shows the key's prefix and last four characters only. */
export function maskKey(key: string): string {
  const prefix = /^(?:sk|rk|pk)_(?:test|live)_/.exec(key)?.[0] ?? '';
  const hidden = Math.max(0, key.length - prefix.length - 4);
  return prefix + '*'.repeat(hidden) + key.slice(prefix.length + hidden);
}

/** Bearer token, or the username of HTTP Basic auth (Stripe's two schemes). */
function presentedKey(header: string | undefined): string | null {
  const basic = bearer(header, ['basic']);
  if (basic !== null) {
    try {
      return atob(basic).split(':')[0] || null;
    } catch {
      return null;
    }
  }
  return bearer(header);
}

const isResource = (name: string): name is StripeResource =>
  (STRIPE_RESOURCES as readonly string[]).includes(name);
const isIn = <T extends string>(list: readonly T[], name: string): name is T =>
  (list as readonly string[]).includes(name);

export function createStripeSandbox(options: StripeSandboxOptions): {
  app: Hono<Env>;
  control: StripeControl;
} {
  const { control, ids, apiKey } = options;
  const store = new StripeStore(options.data);
  const writer = new StripeWriter(store, control.now, ids, STRIPE_API_VERSION);
  const saved = new Map<string, SavedResponse>();
  const app = new Hono<Env>();

  const origin = (c: Context<Env>): WriteOrigin => ({
    requestId: c.get('requestId'),
    idempotencyKey: c.req.header('Idempotency-Key') ?? null,
  });
  const fail = (error: StripeError) => jsonResponse({ error: error.body }, error.status);
  const unrecognized = (c: Context<Env>) =>
    fail(
      new StripeError(404, {
        message: `Unrecognized request URL (${c.req.method}: ${c.get('path')}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        type: 'invalid_request_error',
      }),
    );

  app.use('*', async (c, next) => {
    c.set('requestId', `req_${ids.chars(14)}`);
    c.set('path', relativePath(c));
    await next();
    const headers = c.res.headers;
    if (!headers.has('Request-Id')) headers.set('Request-Id', c.get('requestId'));
    headers.set('Stripe-Version', c.req.header('Stripe-Version') ?? STRIPE_API_VERSION);
  });
  app.use(
    '*',
    control.middleware((_c, retryAfter) =>
      jsonResponse(RATE_LIMITED, 429, { 'Retry-After': String(retryAfter) }),
    ),
  );
  app.use('*', async (c, next) => {
    const key = presentedKey(c.req.header('Authorization'));
    const www = { 'WWW-Authenticate': 'Bearer realm="Stripe"' };
    if (key === null)
      return jsonResponse({ error: { message: NO_KEY, type: 'invalid_request_error' } }, 401, www);
    if (key !== apiKey) {
      const message = `Invalid API Key provided: ${maskKey(key)}`;
      return jsonResponse({ error: { message, type: 'invalid_request_error' } }, 401, www);
    }
    const admission = control.admit(key);
    if (!admission.allowed)
      return jsonResponse(RATE_LIMITED, 429, { 'Retry-After': String(admission.retryAfter) });
    c.set('apiKey', key);
    await next();
  });

  app.use('*', async (c, next) => {
    const idem = c.req.header('Idempotency-Key');
    if (!idem || (c.req.method !== 'POST' && c.req.method !== 'DELETE')) return next();
    const fingerprint = `${c.req.method} ${c.req.path}\n${await c.req.text()}`;
    const slot = `${c.get('apiKey')}\n${idem}`;
    const previous = saved.get(slot);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        return fail(
          new StripeError(400, {
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idem}' if you meant to execute a different request.`,
            type: 'idempotency_error',
          }),
        );
      }
      return new Response(previous.body, {
        status: previous.status,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'Idempotent-Replayed': 'true',
          'Idempotency-Key': idem,
          'Request-Id': previous.requestId,
        },
      });
    }
    await next();
    c.res.headers.set('Idempotency-Key', idem);
    // Like Stripe, only requests that executed are remembered; rejected params may be retried with the same key.
    if (c.res.status < 400) {
      const body = await c.res.clone().text();
      saved.set(slot, { fingerprint, status: c.res.status, body, requestId: c.get('requestId') });
    }
  });

  const formBody = async (c: Context<Env>): Promise<FormObject> => {
    if ((c.req.header('Content-Type') ?? '').toLowerCase().includes('json')) {
      throw StripeError.invalid(
        'Invalid request (check that your POST content type is application/x-www-form-urlencoded). If you have any questions, we can help at https://support.stripe.com/.',
      );
    }
    return decodeForm(new URLSearchParams(await c.req.text()));
  };
  const queryParams = (c: Context<Env>): FormObject => decodeForm(new URL(c.req.url).searchParams);

  app.get('/v1/:resource', (c) => {
    const resource = c.req.param('resource');
    if (!isResource(resource)) return unrecognized(c);
    const { query, expand: paths } = parseList(resource, queryParams(c));
    for (const p of paths) {
      if (!p.startsWith('data.'))
        throw StripeError.invalid(`This property cannot be expanded (${p}).`, 'expand');
    }
    const page = store.page(resource, query);
    const inner = paths.map((p) => p.slice('data.'.length));
    const data = inner.length ? page.data.map((r) => expand(store, r, inner, 'data.')) : page.data;
    return c.json({ object: 'list', data, has_more: page.hasMore, url: `/v1/${resource}` });
  });

  app.get('/v1/:resource/:id', (c) => {
    const resource = c.req.param('resource');
    const id = c.req.param('id');
    if (!isResource(resource)) return unrecognized(c);
    const params = queryParams(c);
    for (const name of Object.keys(params)) if (name !== 'expand') throw StripeError.unknownParam(name);
    const record = store.get(resource, id);
    if (!record) {
      if (resource === 'customers' && store.isDeleted(resource, id)) {
        return c.json({ id, object: 'customer', deleted: true });
      }
      throw StripeError.missing(SINGULAR[resource], id, 'id');
    }
    return c.json(expand(store, record, expandParam(params.expand)));
  });

  app.post('/v1/:resource', async (c) => {
    const resource = c.req.param('resource');
    if (!isIn(CREATABLE, resource)) return unrecognized(c);
    const params = await formBody(c);
    const record = writer.create(resource, writer.decode(resource, params), origin(c));
    return c.json(expand(store, record, expandParam(params.expand)));
  });

  app.post('/v1/:resource/:id', async (c) => {
    const resource = c.req.param('resource');
    const id = c.req.param('id');
    if (!isIn(WRITABLE, resource)) return unrecognized(c);
    const params = await formBody(c);
    const current = store.get(resource, id);
    if (!current) throw StripeError.missing(SINGULAR[resource], id, 'id');
    const record = writer.update(resource, id, writer.decode(resource, params, current), origin(c));
    return c.json(expand(store, record, expandParam(params.expand)));
  });

  app.delete('/v1/:resource/:id', async (c) => {
    const resource = c.req.param('resource');
    if (!isIn(DELETABLE, resource)) return unrecognized(c);
    const params = await formBody(c);
    const allowed = resource === 'subscriptions' ? ['cancellation_details', 'invoice_now', 'prorate'] : [];
    for (const name of Object.keys(params)) if (!allowed.includes(name)) throw StripeError.unknownParam(name);
    return c.json(writer.remove(resource, c.req.param('id'), origin(c)));
  });

  app.all('*', (c) => unrecognized(c));

  app.onError((error) => {
    if (error instanceof StripeError) return fail(error);
    console.error(error);
    return fail(new StripeError(500, { message: 'An unknown error occurred', type: 'api_error' }));
  });

  const stripeControl = controlHandle<StripeControl>(control, {
    store,
    update: (resource, id, patch) =>
      writer.update(resource, id, patch, { requestId: null, idempotencyKey: null }),
    addField: (resource, key, valueFor) => store.addField(resource, key, valueFor),
  });
  return { app, control: stripeControl };
}
