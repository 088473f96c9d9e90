// The heuristic pass and the merge of stored, declared and guessed join paths, on real DuckDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../connectors/registry.ts';
import type { DinobaseDB } from '../db.ts';
import { memoryDB } from '../testing.ts';
import { annotate } from './annotate.ts';
import {
  heuristicEdges,
  referencedTableNames,
  relatedTables,
  sourcesWithoutRelationships,
} from './relationships.ts';

let db: DinobaseDB;

beforeAll(async () => {
  db = memoryDB();
  await db.conn;
  for (const sql of [
    `CREATE SCHEMA crm`,
    `CREATE SCHEMA billing`,
    `CREATE TABLE crm.teams (id VARCHAR, name VARCHAR)`,
    `INSERT INTO crm.teams VALUES ('t1', 'Red'), ('t2', 'Blue')`,
    `CREATE TABLE crm.companies (id INTEGER, name VARCHAR)`,
    `INSERT INTO crm.companies VALUES (1, 'Acme'), (2, 'Globex')`,
    // team__id all found in teams.id; company_id matches 1 of 3 values: below the threshold.
    `CREATE TABLE crm.people (id INTEGER, email VARCHAR, team__id VARCHAR, company_id INTEGER, _dlt_parent_id VARCHAR)`,
    `INSERT INTO crm.people VALUES (1, 'a@x.com', 't1', 1, 'p'), (2, 'B@x.com', 't1', 7, 'p'), (3, 'c@x.com', 't2', 8, 'p')`,
    `CREATE TABLE billing.accounts (id VARCHAR, email VARCHAR)`,
    `INSERT INTO billing.accounts VALUES ('acc_1', 'a@x.com'), ('acc_2', 'b@x.com'), ('acc_3', 'z@y.com')`,
  ]) {
    await db.query(sql);
  }
});
afterAll(() => db.close());

describe('referencedTableNames', () => {
  it('reads `_id` and `__id` columns as table names, singular and plural', () => {
    expect(referencedTableNames('customer_id')).toEqual(expect.arrayContaining(['customer', 'customers']));
    expect(referencedTableNames('team__id')).toEqual(expect.arrayContaining(['team', 'teams']));
    expect(referencedTableNames('hubspot_owner_id')).toContain('owners');
    expect(referencedTableNames('category_id')).toContain('categories');
    expect(referencedTableNames('id')).toEqual([]);
    expect(referencedTableNames('_dlt_parent_id')).toEqual([]);
    expect(referencedTableNames('email')).toEqual([]);
  });
});

describe('heuristicEdges', () => {
  it('keeps a *_id column whose values are found in the id of a same-schema table, with its confidence', async () => {
    const edges = await heuristicEdges(db, 'crm', 'people');
    const team = edges.find((e) => e.to.table === 'teams');
    expect(team).toMatchObject({
      from: { schema: 'crm', table: 'people', column: 'team__id' },
      to: { schema: 'crm', table: 'teams', column: 'id' },
      cardinality: 'many_to_one',
      source: 'heuristic',
      confidence: 1,
    });
    // 1 of 3 company ids exists: not a join path.
    expect(edges.find((e) => e.to.table === 'companies')).toBeUndefined();
  });

  it('finds incoming references when describing the referenced table', async () => {
    const edges = await heuristicEdges(db, 'crm', 'teams');
    expect(edges).toEqual([expect.objectContaining({ from: expect.objectContaining({ table: 'people' }) })]);
  });

  it('matches email columns across sources, ignoring case', async () => {
    const edges = await heuristicEdges(db, 'crm', 'people');
    const email = edges.find((e) => e.to.schema === 'billing');
    expect(email).toMatchObject({
      from: { schema: 'crm', table: 'people', column: 'email' },
      to: { schema: 'billing', table: 'accounts', column: 'email' },
      cardinality: 'one_to_one',
    });
    expect(email!.confidence).toBeCloseTo(2 / 3, 2);
  });
});

describe('relatedTables', () => {
  const connectors = new ConnectorRegistry();

  it('puts an annotated relationship first and drops the heuristic duplicate of it', async () => {
    await annotate(db, {
      from_table: 'crm.people',
      from_column: 'team__id',
      to_table: 'crm.teams',
      to_column: 'id',
      cardinality: 'many_to_one',
      description: 'Home team',
    });
    const related = await relatedTables(db, connectors, 'crm', 'people');
    const teams = related.filter((r) => r.table === 'crm.teams');
    expect(teams).toEqual([
      {
        table: 'crm.teams',
        join: 'ON crm.people.team__id = crm.teams.id',
        cardinality: 'many_to_one',
        description: 'Home team',
        source: 'annotation',
      },
    ]);
    expect(related.find((r) => r.table === 'billing.accounts')?.source).toBe('heuristic');
  });

  it('names the sources with no stored or declared relationship', async () => {
    expect(await sourcesWithoutRelationships(db, [{ name: 'crm' }, { name: 'billing' }], connectors)).toEqual(
      ['billing'],
    );
  });
});
