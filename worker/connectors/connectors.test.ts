import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { applyAuth } from './auth.ts';
import { builtinConnectors } from './builtin.ts';
import { createPaginator, parseLinkHeader } from './paginators.ts';
import { substitute, substituteDeep } from './paths.ts';
import { ConnectorRegistry } from './registry.ts';
import type { PageRequest } from './request.ts';
import type { ConnectorSpecInput } from './spec.ts';

const request = (url = 'https://api.example.com/v1/items'): PageRequest => ({
  url: new URL(url),
  method: 'GET',
  headers: {},
});
const page = (body: unknown, records: unknown[], headers: Record<string, string> = {}) => ({
  status: 200,
  headers: new Headers(headers),
  body,
  records,
});

const minimal: ConnectorSpecInput = {
  name: 'acme',
  description: 'Acme CRM',
  credentials: [{ name: 'token' }],
  client: {
    base_url: 'https://api.acme.io/',
    allowed_hosts: ['api.acme.io'],
    auth: { type: 'bearer', token: '{token}' },
  },
  resources: [{ name: 'accounts', endpoint: { path: 'accounts' } }],
};

describe('builtin connectors', () => {
  it('declare the API fields every insert and update may send', () => {
    const registry = builtinConnectors();
    for (const name of registry.names()) {
      for (const w of registry.get(name).write_endpoints) {
        if (w.operation !== 'delete') expect(w.writable, `${name} ${w.operation} ${w.table}`).not.toEqual([]);
        // The field that addresses the record is never one an update sends.
        if (w.operation === 'update') expect(w.writable).not.toContain(w.id_field);
      }
    }
    const stripe = registry
      .get('stripe')
      .write_endpoints.find((w) => w.table === 'customers' && w.operation === 'update');
    expect(stripe?.writable).toEqual(expect.arrayContaining(['name', 'email', 'address', 'metadata']));
    expect(stripe?.writable).not.toEqual(expect.arrayContaining(['delinquent']));
    expect(stripe?.writable).not.toEqual(expect.arrayContaining(['created']));
  });

  it('ship stripe, hubspot, linear and github as validated specs', () => {
    const registry = builtinConnectors();
    expect(registry.names()).toEqual(['github', 'hubspot', 'linear', 'stripe']);
    expect(registry.get('stripe').resources.map((r) => r.name)).toEqual([
      'customers',
      'subscriptions',
      'charges',
      'invoices',
      'products',
      'prices',
    ]);
    expect(registry.get('github').resources.find((r) => r.name === 'issues')?.parent).toEqual({
      resource: 'repos',
      field: 'full_name',
      param: 'full_name',
    });
    expect(registry.get('linear').resources.every((r) => r.graphql)).toBe(true);
    expect(registry.get('hubspot').write_endpoints.map((w) => `${w.operation}:${w.table}`)).toContain(
      'update:deals',
    );
  });

  it('names the unknown type and what is available', () => {
    expect(() => builtinConnectors().get('salesforce')).toThrow(
      'Unknown source type "salesforce". Available: github, hubspot, linear, stripe',
    );
  });
});

describe('spec validation', () => {
  it('fills defaults so downstream code sees one full form', () => {
    const spec = new ConnectorRegistry().add(minimal);
    expect(spec.resources[0]).toMatchObject({
      primary_key: 'id',
      write_disposition: 'merge',
      selected: true,
    });
    expect(spec.client.paginator).toEqual({ type: 'single_page' });
    expect(spec.credentials[0]).toMatchObject({ secret: true });
  });

  it.each([
    [{ client: { ...minimal.client, paginator: { type: 'ofset' } } }, /paginator|type/],
    [
      { client: { ...minimal.client, retry: { budget: 'soon' } } },
      /Invalid retry budget 'soon': expected a number followed by s, m, h or d/,
    ],
    [{ client: { ...minimal.client, retry: { budget: '0s' } } }, /Retry budget must be positive, got: '0s'/],
    [{ client: { ...minimal.client, retry: { budget: '60s', attempts: 3 } } }, /attempts/],
    [
      { client: { ...minimal.client, base_url: 'https://evil.example.com/' } },
      /host "evil.example.com" is not in client.allowed_hosts/,
    ],
    [
      {
        resources: [
          { name: 'notes', endpoint: { path: 'n' }, parent: { resource: 'ghost', field: 'id', param: 'id' } },
        ],
      },
      /unknown parent "ghost"/,
    ],
    [
      {
        resources: [
          {
            name: 'x',
            endpoint: { path: 'x' },
            graphql: { query: 'q', data_path: 'd', page_info_path: 'p' },
          },
        ],
      },
      /exactly one of/,
    ],
    [{ resources: [{ name: 'Bad Name', endpoint: { path: 'x' } }] }, /snake_case/],
    [{ client: { ...minimal.client, auth: { type: 'oauth9' } } }, /auth|type/],
    [
      {
        write_endpoints: [{ operation: 'update', table: 'accounts', method: 'PATCH', path: 'accounts/{id}' }],
      },
      /write endpoint "update accounts" must list its `writable` API fields/,
    ],
  ])('rejects %j', (patch, message) => {
    const attempt = () => new ConnectorRegistry().add({ ...minimal, ...patch });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/Invalid connector "acme"/);
  });
});

describe('auth kinds', () => {
  it.each([
    [{ type: 'bearer', token: '{token}' } as const, { authorization: 'Bearer s3cret' }, ''],
    [
      { type: 'basic', username: '{token}', password: '' } as const,
      { authorization: `Basic ${btoa('s3cret:')}` },
      '',
    ],
    [
      { type: 'api_key', name: 'X-Api-Key', value: '{token}', location: 'header' } as const,
      { 'x-api-key': 's3cret' },
      '',
    ],
    [
      { type: 'api_key', name: 'api_key', value: '{token}', location: 'query' } as const,
      {},
      '?api_key=s3cret',
    ],
  ])('%j', (spec, headers, query) => {
    const r = request();
    applyAuth(spec, { token: 's3cret' }, r, 'acme');
    expect(r.headers).toEqual(headers);
    expect(r.url.search).toBe(query);
  });

  it('names a missing credential', () => {
    expect(() => applyAuth({ type: 'bearer', token: '{token}' }, {}, request(), 'acme')).toThrow(
      'Source "acme" needs the credential "token" (auth type bearer).',
    );
  });
});

describe('paginators', () => {
  it("Stripe's starting_after + has_more", () => {
    const p = createPaginator({
      type: 'last_record_cursor',
      cursor_param: 'starting_after',
      record_field: 'id',
      has_more_path: 'has_more',
    });
    const r = request();
    expect(p.next(page({ has_more: true }, [{ id: 'cus_1' }, { id: 'cus_2' }]), r)).toBe(true);
    expect(r.url.searchParams.get('starting_after')).toBe('cus_2');
    expect(p.next(page({ has_more: false }, [{ id: 'cus_3' }]), r)).toBe(false);
  });

  it("HubSpot's paging.next.after, in the query or the search body", () => {
    const query = createPaginator({
      type: 'json_cursor',
      cursor_path: 'paging.next.after',
      cursor_param: 'after',
      location: 'query',
    });
    const r = request();
    expect(query.next(page({ paging: { next: { after: '101' } } }, [{}]), r)).toBe(true);
    expect(r.url.searchParams.get('after')).toBe('101');
    expect(query.next(page({ results: [] }, []), r)).toBe(false);
    const body = createPaginator({
      type: 'json_cursor',
      cursor_path: 'paging.next.after',
      cursor_param: 'after',
      location: 'body',
    });
    const post: PageRequest = { ...request(), method: 'POST', json: { limit: 100 } };
    expect(body.next(page({ paging: { next: { after: '200' } } }, [{}]), post)).toBe(true);
    expect(post.json).toEqual({ limit: 100, after: '200' });
  });

  it("GitHub's Link header", () => {
    const link =
      '<https://api.github.com/user/repos?page=2>; rel="next", <https://api.github.com/user/repos?page=5>; rel="last"';
    expect(parseLinkHeader(link)).toEqual({
      next: 'https://api.github.com/user/repos?page=2',
      last: 'https://api.github.com/user/repos?page=5',
    });
    const p = createPaginator({ type: 'header_link', rel: 'next' });
    const r = request('https://api.github.com/user/repos');
    expect(p.next(page([], [{}], { link }), r)).toBe(true);
    expect(r.url.toString()).toBe('https://api.github.com/user/repos?page=2');
    expect(p.next(page([], [{}]), r)).toBe(false);
  });

  it("HubSpot's paging.next.link in the body, absolute or relative", () => {
    const p = createPaginator({ type: 'json_link', link_path: 'paging.next.link' });
    const r = request('https://api.hubapi.com/crm/v3/objects/contacts?limit=100');
    p.init(r);
    const absolute = 'https://api.hubapi.com/crm/v3/objects/contacts?after=NTI1Cg%3D%3D&limit=100';
    expect(p.next(page({ paging: { next: { after: 'x', link: absolute } } }, [{}]), r)).toBe(true);
    expect(r.url.toString()).toBe(absolute);
    expect(p.next(page({ paging: { next: { link: '?after=2&limit=100' } } }, [{}]), r)).toBe(true);
    expect(r.url.toString()).toBe('https://api.hubapi.com/crm/v3/objects/contacts?after=2&limit=100');
    expect(p.next(page({ paging: { next: { link: 'contacts?after=3' } } }, [{}]), r)).toBe(true);
    expect(r.url.toString()).toBe('https://api.hubapi.com/crm/v3/objects/contacts?after=3');
    // No link, an empty one, or a non-string ends the paging.
    expect(p.next(page({ results: [] }, []), r)).toBe(false);
    expect(p.next(page({ paging: { next: { link: '' } } }, [{}]), r)).toBe(false);
    expect(p.next(page({ paging: { next: { link: 7 } } }, [{}]), r)).toBe(false);
    expect(r.url.toString()).toBe('https://api.hubapi.com/crm/v3/objects/contacts?after=3');
  });

  it('json_link is a valid spec paginator and needs its link_path', () => {
    const spec = new ConnectorRegistry().add({
      ...minimal,
      client: { ...minimal.client, paginator: { type: 'json_link', link_path: 'next' } },
    });
    expect(spec.client.paginator).toEqual({ type: 'json_link', link_path: 'next' });
    expect(() =>
      new ConnectorRegistry().add({
        ...minimal,
        client: { ...minimal.client, paginator: { type: 'json_link' } },
      }),
    ).toThrow(/link_path/);
  });

  it('offset and page number stop on a short page or the total', () => {
    const offset = createPaginator({
      type: 'offset',
      limit: 2,
      offset_param: 'offset',
      limit_param: 'limit',
      total_path: 'total',
    });
    const r = request();
    offset.init(r);
    expect(r.url.search).toBe('?limit=2&offset=0');
    expect(offset.next(page({ total: 3 }, [{}, {}]), r)).toBe(true);
    expect(r.url.searchParams.get('offset')).toBe('2');
    expect(offset.next(page({ total: 3 }, [{}]), r)).toBe(false);
    const numbered = createPaginator({ type: 'page_number', base_page: 1, page_param: 'page' });
    const q = request();
    numbered.init(q);
    expect(numbered.next(page([], [{}]), q)).toBe(true);
    expect(q.url.searchParams.get('page')).toBe('2');
    expect(numbered.next(page([], []), q)).toBe(false);
  });

  it('GraphQL Relay pageInfo', () => {
    const p = createPaginator({
      type: 'graphql_relay',
      page_info_path: 'data.issues.pageInfo',
      cursor_variable: 'after',
    });
    const r: PageRequest = { ...request(), method: 'POST', json: { query: 'q', variables: { since: 'x' } } };
    expect(
      p.next(page({ data: { issues: { pageInfo: { hasNextPage: true, endCursor: 'c1' } } } }, [{}]), r),
    ).toBe(true);
    expect(r.json).toEqual({ query: 'q', variables: { since: 'x', after: 'c1' } });
    expect(
      p.next(page({ data: { issues: { pageInfo: { hasNextPage: false, endCursor: 'c2' } } } }, [{}]), r),
    ).toBe(false);
  });
});

describe('placeholders', () => {
  it('substitutes known names, keeps unknown ones and literal braces', () => {
    expect(substitute('repos/{full_name}/issues', { full_name: 'a/b c' }, true)).toBe('repos/a/b%20c/issues');
    expect(substitute('{ issues { nodes } } {missing}', {})).toBe('{ issues { nodes } } {missing}');
    expect(
      substituteDeep(
        { value: '{incremental.start_value}', n: ['{x}'] },
        { 'incremental.start_value': 5, x: 'y' },
      ),
    ).toEqual({
      value: 5,
      n: ['y'],
    });
  });
});
