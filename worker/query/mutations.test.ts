// The original's mutation behaviours (dinobase-behaviour.md §3), ported: previews, limits, errors, batches.
import { describe, expect, it } from 'vitest';
import { isMutationFailure, type BatchPreview } from './mutations.ts';
import { db, engine, executed, failed, firstCustomer, mutationSuite, preview } from './mutations-kit.ts';

mutationSuite();

describe('previews', () => {
  it('previews an UPDATE with per-row old → new changes, the API it will call, and writes nothing', async () => {
    const c = await firstCustomer();
    const result = preview(
      await engine.handleSql(`UPDATE stripe.customers SET name = 'Acme Corp' WHERE id = '${c.id}'`),
    );
    expect(result.mutation_id).toMatch(/^mut_[0-9a-f]{12}$/);
    expect(result.status).toBe('pending_confirmation');
    expect(result.confirm).toBe(`Call confirm with mutation_id '${result.mutation_id}' to execute`);
    expect(result.preview).toMatchObject({
      operation: 'UPDATE',
      source: 'stripe',
      table: 'customers',
      rows_affected: 1,
      changes: [{ id: c.id, name: `${c.name ?? 'NULL'} → Acme Corp` }],
      api: { method: 'POST', path: 'v1/customers/{id}', host: 'api.stripe.com', calls: 1 },
    });
    expect(result.preview.side_effects[0]).toMatch(
      /^Will call API to update 1 record\(s\) in stripe \(POST v1\/customers\/\{id\}/,
    );
    expect((await firstCustomer()).name).toBe(c.name);
    expect(executed).toEqual([]);
  });

  it('evaluates SET expressions in DuckDB and casts them to the column type', async () => {
    const c = await firstCustomer();
    const result = preview(
      await engine.handleSql(`UPDATE stripe.customers SET name = upper(email) || '!' WHERE id = '${c.id}'`),
    );
    expect(result.preview.changes![0]!.name).toBe(`${c.name ?? 'NULL'} → ${c.email.toUpperCase()}!`);
    expect(
      failed(await engine.handleSql(`UPDATE stripe.customers SET balance = 'lots' WHERE id = '${c.id}'`)),
    ).toMatch(/^Could not evaluate the SET values: .*lots/);
  });

  it('previews a DELETE with every column of the rows to delete', async () => {
    const c = await firstCustomer();
    const result = preview(await engine.handleSql(`DELETE FROM stripe.customers WHERE id = '${c.id}'`));
    expect(result.preview).toMatchObject({ operation: 'DELETE', rows_affected: 1 });
    expect(result.preview.rows_to_delete![0]).toMatchObject({ id: c.id, email: c.email });
    expect(result.preview.side_effects[0]).toMatch(/^Will call API to delete 1 record\(s\) from stripe/);
  });

  it('previews a multi-row INSERT with typed values', async () => {
    const result = preview(
      await engine.handleSql(
        `INSERT INTO hubspot.contacts (email, firstname) VALUES ('new@example.com', 'New'), ('two@example.com', NULL)`,
      ),
    );
    expect(result.preview).toMatchObject({
      operation: 'INSERT',
      source: 'hubspot',
      table: 'contacts',
      rows_to_insert: 2,
      data: { email: 'new@example.com', firstname: 'New' },
      rows: [
        { email: 'new@example.com', firstname: 'New' },
        { email: 'two@example.com', firstname: null },
      ],
    });
    expect(result.preview.side_effects[0]).toMatch(/^Will call API to create 2 records in hubspot/);
  });

  it('keeps quoted semicolons inside one statement (no naive splitting)', async () => {
    const c = await firstCustomer();
    const result = preview(
      await engine.handleSql(`UPDATE stripe.customers SET name = 'a; b' WHERE id = '${c.id}';`),
    );
    expect(result.preview.changes![0]!.name).toMatch(/→ a; b$/);
  });
});

describe('limits and refusals', () => {
  it('refuses more rows than max_affected_rows, reporting how many', async () => {
    const result = await engine.handleSql(`UPDATE stripe.customers SET name = 'x' WHERE email LIKE '%@%'`, {
      maxAffectedRows: 3,
    });
    const n = Number(
      (await db.query(`SELECT count(*) AS n FROM stripe.customers WHERE email LIKE '%@%'`))[0]?.n,
    );
    expect(result).toEqual({
      error: `This UPDATE would affect ${n} rows (limit: 3). Add a more specific WHERE clause or increase max_affected_rows.`,
      code: 'refused',
      rows_affected: n,
    });
  });

  it.each([
    [
      `UPDATE stripe.customers SET name = 'x' WHERE id = 'nope'`,
      'No rows match the WHERE clause. Nothing to update.',
    ],
    [`DELETE FROM stripe.customers WHERE id = 'nope'`, 'No rows match the WHERE clause. Nothing to delete.'],
    [
      `DELETE FROM stripe.customers`,
      'DELETE without WHERE clause is not allowed. Specify which rows to delete.',
    ],
    [`UPDATE customers SET name = 'x' WHERE id = 'a'`, /^UPDATE requires schema\.table format/],
    [
      `DROP TABLE stripe.customers`,
      'DROP statements are not allowed. Only UPDATE, INSERT, and DELETE are supported.',
    ],
    [`SELECT 1`, "Not a mutation statement. Got 'SELECT', expected UPDATE, INSERT, or DELETE."],
    [
      `UPDATE nope.customers SET name = 'x' WHERE id = 'a'`,
      /^Schema 'nope' is not a known source\. Sources: hubspot, stripe\.$/,
    ],
    [
      `UPDATE _dinobase.mutations SET status = 'executed' WHERE 1 = 1`,
      /^Schema '_dinobase' is Dinobase's own/,
    ],
    [
      `UPDATE stripe.charges SET amount = 1 WHERE id = 'a'`,
      /^stripe\.charges cannot be updated: the stripe connector has no update endpoint for 'charges'\. Writable: customers \(/,
    ],
    [
      `UPDATE stripe.customers SET nmae = 'x' WHERE id = 'a'`,
      /^Column 'nmae' does not exist in stripe\.customers/,
    ],
    [
      `UPDATE stripe.customers SET id = 'x' WHERE id = 'a'`,
      "Column 'id' identifies the row at the source and cannot be changed.",
    ],
    [`UPDATE stripe.customers SET name = 'x' WHERE nosuch = 1`, /^Failed to count affected rows: /],
    [`INSERT INTO stripe.customers VALUES ('a')`, /^INSERT needs a column list/],
    [`INSERT INTO stripe.customers (email) SELECT 'a'`, /^Only INSERT … VALUES is supported/],
    [
      `UPDATE stripe.customers SET name = 'x' WHERE id IN (SELECT id FROM stripe.customers) RETURNING *`,
      /RETURNING is not supported/,
    ],
  ])('%s → %s', async (sql, expected) => {
    const result = await engine.handleSql(sql);
    expect(isMutationFailure(result)).toBe(true);
    if (typeof expected === 'string') expect(failed(result)).toBe(expected);
    else expect(failed(result)).toMatch(expected);
  });
});

describe('writable columns', () => {
  it.each([
    ['delinquent = false', 'delinquent'],
    ["created = '2026-01-01'", 'created'],
    ["currency = 'eur'", 'currency'],
  ])('refuses UPDATE stripe.customers SET %s, naming the writable columns', async (set, column) => {
    const c = await firstCustomer();
    const result = await engine.handleSql(`UPDATE stripe.customers SET ${set} WHERE id = '${c.id}'`);
    expect(result).toMatchObject({ code: 'refused' });
    expect(failed(result)).toMatch(
      new RegExp(
        `^Column '${column}' of stripe\\.customers cannot be updated through the stripe API\\. Writable: `,
      ),
    );
    expect(failed(result)).toMatch(/Writable: .*\baddress__…, balance, .*\bemail\b.*\bname\b.*\bphone\b/);
    expect(failed(result)).not.toMatch(/Writable: .*\bdelinquent\b/);
  });

  it('accepts nested fields under a writable parameter (address__city)', async () => {
    const c = await firstCustomer();
    const result = preview(
      await engine.handleSql(`UPDATE stripe.customers SET address__city = 'Lisbon' WHERE id = '${c.id}'`),
    );
    expect(result.preview.operation).toBe('UPDATE');
  });

  it('refuses an INSERT of a column the API cannot create, and names the creatable ones', async () => {
    const result = await engine.handleSql(
      `INSERT INTO hubspot.contacts (email, hs_object_id) VALUES ('x@example.com', '1')`,
    );
    expect(result).toMatchObject({ code: 'refused' });
    expect(failed(result)).toMatch(
      /^Column 'hs_object_id' of hubspot\.contacts cannot be inserted through the hubspot API\. Creatable: .*\bemail\b.*\bfirstname\b/,
    );
  });
});

describe('batches', () => {
  it('previews several statements as one batch, with per-statement errors', async () => {
    const c = await firstCustomer();
    const result = (await engine.handleSql(
      `UPDATE stripe.customers SET name = 'B' WHERE id = '${c.id}';
       UPDATE hubspot.contacts SET firstname = 'Z' WHERE email = '${c.email}';
       DELETE FROM stripe.customers`,
    )) as BatchPreview;
    expect(result.batch_id).toMatch(/^batch_[0-9a-f]{12}$/);
    expect(result).toMatchObject({ status: 'pending_confirmation', statements: 3, valid: 2 });
    expect(result.sources_involved).toEqual(['stripe', 'hubspot']);
    expect(result.errors).toEqual([
      {
        sql: 'DELETE FROM stripe.customers',
        error: 'DELETE without WHERE clause is not allowed. Specify which rows to delete.',
      },
    ]);
    const ids = result.mutations.map((m) => m.mutation_id);
    expect(result.confirm).toBe(
      `Call confirm for each mutation_id, or confirm_batch with all IDs: ['${ids[0]}', '${ids[1]}']`,
    );
    const batch = await engine.confirmBatch(ids);
    expect(batch).toMatchObject({ status: 'batch_executed', total: 2, succeeded: 2, failed: 0 });
    expect(executed.map((p) => `${p.source}.${p.table}`)).toEqual(['stripe.customers', 'hubspot.contacts']);
  });

  it('reports a batch where every statement fails', async () => {
    expect(await engine.handleSql('DELETE FROM stripe.customers; DROP TABLE x')).toEqual({
      error: 'All statements failed validation',
      details: [
        {
          sql: 'DELETE FROM stripe.customers',
          error: 'DELETE without WHERE clause is not allowed. Specify which rows to delete.',
        },
        {
          sql: 'DROP TABLE x',
          error: 'DROP statements are not allowed. Only UPDATE, INSERT, and DELETE are supported.',
        },
      ],
    });
  });
});
