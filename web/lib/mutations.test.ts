// Display helpers for the review panel: diff splitting, the API line, countdowns and result summaries.
import { describe, expect, it } from 'vitest';
import type { MutationPreview, MutationRecord, RowResult } from '../../worker/api.ts';
import {
  apiLine,
  changedColumns,
  countdown,
  isWriteSql,
  recordPreview,
  resultSummary,
  scopeLine,
  splitChange,
} from './mutations.ts';

const preview: MutationPreview['preview'] = {
  operation: 'UPDATE',
  source: 'stripe',
  table: 'customers',
  rows_affected: 1,
  changes: [{ id: 'cus_1', name: 'Old → New', email: 'NULL → a@b.c' }],
  side_effects: [],
  api: { method: 'POST', path: 'v1/customers/{id}', host: 'api.stripe.com', calls: 1 },
};

const row = (index: number, status: RowResult['status']): RowResult => ({
  index,
  id: `cus_${index}`,
  status,
});

describe('mutation display helpers', () => {
  it('splits UPDATE changes into old and new, at the first arrow', () => {
    expect(changedColumns(preview)).toEqual(['name', 'email']);
    expect(splitChange('name', 'Old → New')).toEqual({ column: 'name', old: 'Old', new: 'New' });
    expect(splitChange('n', 'a → b → c')).toEqual({ column: 'n', old: 'a', new: 'b → c' });
    expect(splitChange('n', 3)).toEqual({ column: 'n', old: '3', new: '3' });
  });

  it('names the API call and the scope', () => {
    expect(apiLine(preview)).toBe('POST v1/customers/{id} on api.stripe.com · 1 call');
    expect(apiLine({ ...preview, api: { ...preview.api, calls: 3 } })).toMatch(/· 3 calls$/);
    expect(scopeLine(preview)).toBe('1 row to update');
    expect(scopeLine({ ...preview, operation: 'INSERT', rows_affected: undefined, rows_to_insert: 2 })).toBe(
      '2 rows to create',
    );
  });

  it('counts down in minutes and seconds, never below zero', () => {
    expect(countdown(581_000)).toBe('9:41');
    expect(countdown(400)).toBe('0:01');
    expect(countdown(-5_000)).toBe('0:00');
  });

  it('summarises per-row results', () => {
    expect(resultSummary([row(0, 'ok')])).toBe('1 written — local table updated');
    expect(resultSummary([row(0, 'ok'), row(1, 'ok'), row(2, 'failed')])).toBe(
      '2 written, 1 failed — local table updated only for written rows',
    );
    expect(resultSummary([row(0, 'failed'), row(1, 'skipped')])).toBe(
      '0 written, 1 failed, 1 skipped — local table unchanged',
    );
    expect(resultSummary([row(0, 'ok'), row(1, 'stale')])).toBe(
      '1 written, 1 changed since preview — local table updated only for written rows',
    );
  });

  it('turns a stored pending record back into a preview', () => {
    const record: MutationRecord = {
      mutation_id: 'mut_1',
      connector_name: 'stripe',
      table_name: 'customers',
      operation: 'UPDATE',
      sql_text: "UPDATE stripe.customers SET name = 'New' WHERE id = 'cus_1'",
      preview,
      status: 'pending',
      created_at: '2026-01-01T00:00:00.000Z',
      expires_at: '2026-01-01T00:10:00.000Z',
      confirmed_at: null,
      executed_at: null,
      result: null,
      error_message: null,
      batch_id: null,
      client: null,
    };
    expect(recordPreview(record)).toMatchObject({
      mutation_id: 'mut_1',
      expires_at: record.expires_at,
      preview,
    });
    expect(recordPreview({ ...record, preview: null })).toBeNull();
  });
});

describe('isWriteSql', () => {
  it('recognises UPDATE, INSERT and DELETE after comments and whitespace', () => {
    expect(isWriteSql("UPDATE stripe.customers SET name = 'x'")).toBe(true);
    expect(isWriteSql('  -- rename\n/* a /* nested */ note */ insert into t values (1)')).toBe(true);
    expect(isWriteSql('delete from t where id = 1; delete from t where id = 2')).toBe(true);
    expect(isWriteSql('SELECT 1')).toBe(false);
    expect(isWriteSql("SELECT 'UPDATE'")).toBe(false);
    expect(isWriteSql('UPDATED_AT')).toBe(false);
    expect(isWriteSql('-- UPDATE t\nSELECT 1')).toBe(false);
    expect(isWriteSql('')).toBe(false);
  });
});
