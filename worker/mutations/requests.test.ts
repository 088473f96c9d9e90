// Request building for each connector's write endpoints: paths, form/json/GraphQL bodies, reads, idempotency keys.
import { describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.ts';
import type { WriteEndpointSpec } from '../connectors/spec.ts';
import { MutationError } from '../errors.ts';
import type { Route } from '../sync/transport.ts';
import { clientId, formPairs, nestValues, readRequest, writeRequest } from './requests.ts';
import type { MutationPlan, Operation, PlannedRow } from './types.ts';

const connectors = builtinConnectors();

function setup(type: string, table: string, operation: Operation) {
  const spec = connectors.get(type);
  const endpoint = spec.write_endpoints.find((w) => w.table === table && w.operation === operation)!;
  const route: Route = {
    upstream: new URL(spec.client.base_url),
    scope: {},
    prepare: (request) => request,
  };
  return { spec, endpoint, route };
}

function plan(
  type: string,
  table: string,
  operation: Operation,
  columns: string[],
  row: Partial<PlannedRow>,
): MutationPlan {
  return {
    mutation_id: 'mut_abc',
    source: type,
    source_type: type,
    table,
    operation,
    columns,
    rows: [{ index: 3, id: null, key: {}, scope: {}, before: null, after: null, ...row }],
  };
}

describe('bodies', () => {
  it('nests flattened columns, with column_map taking precedence', () => {
    const endpoint = { column_map: { state__id: 'stateId' } } as unknown as WriteEndpointSpec;
    expect(
      nestValues(endpoint, { address__city: 'Lisbon', address__country: 'PT', state__id: 's1', name: 'A' }),
    ).toEqual({ address: { city: 'Lisbon', country: 'PT' }, stateId: 's1', name: 'A' });
  });

  it('form-encodes like Stripe: brackets, text scalars, empty string to unset', () => {
    expect(
      formPairs({
        name: 'A',
        address: { city: null },
        tax_exempt: false,
        balance: 0,
        locales: ['en', 'fr'],
        tags: [],
      }),
    ).toEqual([
      ['name', 'A'],
      ['address[city]', ''],
      ['tax_exempt', 'false'],
      ['balance', '0'],
      ['locales[0]', 'en'],
      ['locales[1]', 'fr'],
      ['tags', ''],
    ]);
  });
});

describe('write requests', () => {
  it('Stripe update: form body of the SET columns, idempotency key, API version header', () => {
    const { spec, endpoint, route } = setup('stripe', 'customers', 'update');
    const p = plan('stripe', 'customers', 'update', ['name', 'metadata__tier'], {
      id: 'cus_1',
      key: { id: 'cus_1' },
      after: { name: 'Acme', metadata__tier: 'gold' },
    });
    const request = writeRequest(spec, route, endpoint, p, p.rows[0]!);
    expect(request.url.href).toBe('https://api.stripe.com/v1/customers/cus_1');
    expect(request.method).toBe('POST');
    expect(request.form).toEqual([
      ['name', 'Acme'],
      ['metadata[tier]', 'gold'],
    ]);
    expect(request.json).toBeUndefined();
    expect(request.headers).toEqual({ 'stripe-version': '2024-06-20', 'idempotency-key': 'mut_abc:3' });
  });

  it('Stripe delete sends no body', () => {
    const { spec, endpoint, route } = setup('stripe', 'customers', 'delete');
    const p = plan('stripe', 'customers', 'delete', [], { id: 'cus_1', before: { id: 'cus_1', name: 'A' } });
    const request = writeRequest(spec, route, endpoint, p, p.rows[0]!);
    expect([request.method, request.url.pathname, request.form, request.json]).toEqual([
      'DELETE',
      '/v1/customers/cus_1',
      undefined,
      undefined,
    ]);
  });

  it('HubSpot: json wrapped in `properties`; inserts drop NULLs and `_` columns', () => {
    const { spec, endpoint, route } = setup('hubspot', 'contacts', 'insert');
    const p = plan('hubspot', 'contacts', 'insert', ['email', 'phone', '_dlt_id'], {
      after: { email: 'a@b.example', phone: null, _dlt_id: 'x' },
    });
    const request = writeRequest(spec, route, endpoint, p, p.rows[0]!);
    expect(request.json).toEqual({ properties: { email: 'a@b.example' } });
    expect(request.headers['idempotency-key']).toBeUndefined();
  });

  it('GitHub: path placeholders from scope (update) or VALUES (insert), not repeated in the body', () => {
    const update = setup('github', 'issues', 'update');
    const p = plan('github', 'issues', 'update', ['title'], {
      id: '7',
      scope: { _repos_full_name: 'octo/web-app', number: 7 },
      after: { title: 'T' },
    });
    const request = writeRequest(update.spec, update.route, update.endpoint, p, p.rows[0]!);
    expect([request.method, request.url.pathname, request.json]).toEqual([
      'PATCH',
      '/repos/octo/web-app/issues/7',
      { title: 'T' },
    ]);
    const insert = setup('github', 'issues', 'insert');
    const q = plan('github', 'issues', 'insert', ['_repos_full_name', 'title'], {
      after: { _repos_full_name: 'octo/web-app', title: 'New' },
    });
    const created = writeRequest(insert.spec, insert.route, insert.endpoint, q, q.rows[0]!);
    expect([created.method, created.url.pathname, created.json]).toEqual([
      'POST',
      '/repos/octo/web-app/issues',
      { title: 'New' },
    ]);
  });

  it('refuses a path placeholder nobody filled, naming it', () => {
    const { spec, endpoint, route } = setup('github', 'issues', 'insert');
    const p = plan('github', 'issues', 'insert', ['title'], { after: { title: 'New' } });
    expect(() => writeRequest(spec, route, endpoint, p, p.rows[0]!)).toThrow(MutationError);
    expect(() => writeRequest(spec, route, endpoint, p, p.rows[0]!)).toThrow(
      'github.issues row 3: no value for {_repos_full_name} in path "repos/{_repos_full_name}/issues".',
    );
  });

  it('Linear: the mutation with {id} and {values} (column_map names) as variables', () => {
    const { spec, endpoint, route } = setup('linear', 'issues', 'update');
    const p = plan('linear', 'issues', 'update', ['title', 'assignee__id', 'due_date'], {
      id: 'uuid-1',
      after: { title: 'T', assignee__id: 'user-1', due_date: '2026-07-01' },
    });
    const request = writeRequest(spec, route, endpoint, p, p.rows[0]!);
    expect(request.url.href).toBe('https://api.linear.app/graphql');
    expect(request.json!.query).toMatch(/^mutation IssueUpdate/);
    expect(request.json!.variables).toEqual({
      id: 'uuid-1',
      input: { title: 'T', assigneeId: 'user-1', dueDate: '2026-07-01' },
    });
  });
});

describe('read requests', () => {
  it('HubSpot asks for exactly the compared properties, and for its defaults when there are none', () => {
    const { spec, endpoint, route } = setup('hubspot', 'contacts', 'update');
    const p = plan('hubspot', 'contacts', 'update', ['jobtitle', 'email'], { id: '51' });
    const read = readRequest(spec, route, endpoint, p, p.rows[0]!, ['jobtitle', 'email'])!;
    expect(read.method).toBe('GET');
    expect(read.url.href).toBe(
      'https://api.hubapi.com/crm/v3/objects/contacts/51?properties=jobtitle%2Cemail',
    );
    const none = readRequest(spec, route, endpoint, p, p.rows[0]!, [])!;
    expect(none.url.search).toBe('');
  });

  it('Linear reads one issue by id with GraphQL; an endpoint without `read` has none', () => {
    const { spec, endpoint, route } = setup('linear', 'issues', 'update');
    const p = plan('linear', 'issues', 'update', ['title'], { id: 'uuid-1' });
    const read = readRequest(spec, route, endpoint, p, p.rows[0]!, ['title'])!;
    expect(read.method).toBe('POST');
    expect(read.json!.variables).toEqual({ id: 'uuid-1' });
    const github = setup('github', 'issues', 'insert');
    const create = plan('github', 'issues', 'insert', ['title'], { after: { title: 'x' } });
    expect(readRequest(github.spec, route, github.endpoint, create, create.rows[0]!, [])).toBeNull();
  });

  it('a Linear create proposes its own id, the same on every attempt, and can be read back by it', () => {
    const { spec, endpoint, route } = setup('linear', 'issues', 'insert');
    const p = plan('linear', 'issues', 'insert', ['title', 'team__id'], {
      after: { title: 'T', team__id: 'team-1' },
    });
    const row = p.rows[0]!;
    const id = clientId(p, row);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(clientId(p, row)).toBe(id);
    expect(clientId(p, { ...row, index: 4 })).not.toBe(id);
    expect(clientId({ ...p, mutation_id: 'mut_other' }, row)).not.toBe(id);
    const request = writeRequest(spec, route, endpoint, p, row);
    expect(request.json!.variables).toEqual({ input: { id, title: 'T', teamId: 'team-1' } });
    const read = readRequest(spec, route, endpoint, p, row, [])!;
    expect(read.json!.variables).toEqual({ id });
  });

  it('every update and delete endpoint of the built-in connectors declares a read', () => {
    for (const name of connectors.names()) {
      for (const w of connectors.get(name).write_endpoints) {
        if (w.operation !== 'insert') expect(w.read, `${name} ${w.operation} ${w.table}`).toBeDefined();
      }
    }
  });
});
