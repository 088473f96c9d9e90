// The completion index built from the live catalog: namespace, referenced tables and DuckDB vocabulary.
import { describe, expect, it } from 'vitest';
import {
  buildNamespace,
  columnsFromRows,
  joinOptions,
  referencedTables,
  vocabularyFromRows,
} from './completion.ts';
import { formatSql } from './format.ts';

const rows = [
  { s: 'stripe', t: 'customers', c: 'id', d: 'VARCHAR' },
  { s: 'stripe', t: 'customers', c: 'email', d: 'VARCHAR' },
  { s: 'stripe', t: '_dlt_loads', c: 'load_id', d: 'VARCHAR' },
  { s: 'hubspot', t: 'contacts', c: 'Lifecycle Stage', d: 'VARCHAR' },
];
const tables = [
  { schema: 'stripe', table: 'customers' },
  { schema: 'hubspot', table: 'contacts' },
];

describe('completion index', () => {
  const columns = columnsFromRows(rows, tables);

  it('keeps only the catalog’s user tables', () => {
    expect(columns.map((c) => `${c.schema}.${c.table}.${c.name}`)).toEqual([
      'stripe.customers.id',
      'stripe.customers.email',
      'hubspot.contacts.Lifecycle Stage',
    ]);
  });

  it('nests schemas → tables → typed columns, quoting names that need it', () => {
    const namespace = buildNamespace(tables, columns) as Record<
      string,
      { children: Record<string, unknown> }
    >;
    const contacts = namespace.hubspot!.children.contacts as { self: { label: string }; children: unknown[] };
    expect(contacts.self.label).toBe('contacts');
    expect(contacts.children).toEqual([
      { label: 'Lifecycle Stage', apply: '"Lifecycle Stage"', type: 'property', detail: 'VARCHAR', boost: 0 },
    ]);
  });

  it('finds the tables a statement reads, qualified or bare after FROM/JOIN', () => {
    expect([...referencedTables('SELECT c. FROM stripe.customers c', columns)]).toEqual(['stripe.customers']);
    expect(
      [...referencedTables('SELECT * FROM contacts JOIN "stripe"."customers" x', columns)].sort(),
    ).toEqual(['hubspot.contacts', 'stripe.customers']);
    expect(referencedTables('SELECT lifecycl', columns).size).toBe(0);
  });

  it('turns DuckDB’s function, keyword and type lists into completions', () => {
    const vocabulary = vocabularyFromRows([
      {
        kind: 'function',
        name: 'list_contains',
        detail: 'scalar',
        info: 'True if found.',
        params: ['list', 'element'],
      },
      { kind: 'keyword', name: 'qualify', detail: 'reserved', info: null, params: null },
      { kind: 'type', name: 'hugeint', detail: null, info: null, params: null },
    ]);
    expect(vocabulary).toEqual([
      {
        label: 'list_contains',
        type: 'function',
        detail: 'scalar',
        info: 'list_contains(list, element)\nTrue if found.',
        boost: -1,
      },
      { label: 'QUALIFY', type: 'keyword', boost: -2 },
      { label: 'HUGEINT', type: 'type', boost: -2 },
    ]);
  });
});

describe('formatSql', () => {
  it('formats DuckDB SQL with upper-case keywords', () => {
    expect(formatSql('select a, b from t where a=1 qualify row_number() over () = 1')).toBe(
      'SELECT\n  a,\n  b\nFROM\n  t\nWHERE\n  a = 1\nQUALIFY\n  row_number() over () = 1',
    );
  });

  it('explains SQL it cannot parse', () => {
    expect(() => formatSql('select (((')).toThrow(/^Could not format: Parse error/);
  });
});

describe('join completion', () => {
  const joins = {
    'stripe.subscriptions': [
      {
        table: 'stripe.customers',
        join: 'ON stripe.subscriptions.customer = stripe.customers.id',
        cardinality: 'many_to_one',
      },
    ],
  };

  it('offers the related table with its condition after JOIN, written with the aliases in use', () => {
    expect(joinOptions('SELECT * FROM stripe.subscriptions s JOIN ', joins).map((o) => o.label)).toEqual([
      'stripe.customers ON s.customer = stripe.customers.id',
    ]);
    expect(joinOptions('SELECT * FROM stripe.subscriptions JOIN ', joins).map((o) => o.label)).toEqual([
      'stripe.customers ON stripe.subscriptions.customer = stripe.customers.id',
    ]);
  });

  it('asks for the paths of a table not described yet, and skips tables already joined', () => {
    const asked: string[] = [];
    expect(joinOptions('FROM hubspot.contacts JOIN ', joins, (t) => asked.push(t))).toEqual([]);
    expect(asked).toEqual(['hubspot.contacts']);
    expect(
      joinOptions('FROM stripe.subscriptions s JOIN stripe.customers c ON true JOIN ', joins).map(
        (o) => o.label,
      ),
    ).toEqual([]);
  });
});
