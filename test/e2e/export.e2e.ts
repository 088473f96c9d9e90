// e2e: export from the results header and the sidebar in Chromium, through the download path; the Parquet read back by native DuckDB.
import { readFileSync } from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWith } from '../../worker/duckdb/node.ts';
import { openApp, runSql, textOf, type App } from './browser.ts';

let app: App;
let page: Page;

const ROWS = 50_000;
const SQL = `SELECT i, 'row ' || i AS label, (i / 4)::DECIMAL(18,2) AS amount, DATE '2024-01-01' + i::INTEGER AS day
FROM range(${ROWS}) t(i) ORDER BY i`;

beforeAll(async () => {
  app = await openApp({
    // No File System Access picker: exports take the chunked download (a native dialog cannot be driven).
    prepare: async (context) => {
      await context.addInitScript(
        () => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker,
      );
    },
  });
  ({ page } = app);
});
afterAll(() => app?.close());

/** Opens the export menu (the first one, or the one named `label`) and downloads `format`. */
async function download(format: string, label?: string): Promise<Download> {
  const menu = label
    ? page.getByRole('button', { name: label })
    : page.getByRole('button', { name: 'Export the full result' });
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    menu.click().then(() => page.getByTestId(`export-${format}`).click()),
  ]);
  return file;
}

async function readParquet(bytes: Uint8Array, sql: (from: string) => string) {
  const native = await openWith('native')({ path: ':memory:' });
  try {
    const path = await native.registerFile('export.parquet', bytes);
    const conn = await native.connect();
    return (await conn.query(sql(`read_parquet('${path}')`))).toArray().map((r) => ({ ...r }));
  } finally {
    await native.close();
  }
}

describe('export', () => {
  it('exports the full result as Parquet, not only the loaded rows', async () => {
    await runSql(page, SQL);
    await expect
      .poll(() => textOf(page, 'truncated'), { timeout: 60_000 })
      .toContain(`of ${ROWS.toLocaleString()}`);
    const file = await download('parquet');
    expect(file.suggestedFilename()).toBe('dinobase-result.parquet');
    const bytes = readFileSync((await file.path())!);
    const types = await readParquet(bytes, (from) => `DESCRIBE SELECT * FROM ${from}`);
    expect(types.map((r) => `${String(r.column_name)} ${String(r.column_type)}`)).toEqual([
      'i BIGINT',
      'label VARCHAR',
      'amount DECIMAL(18,2)',
      'day DATE',
    ]);
    const [stats] = await readParquet(
      bytes,
      (from) =>
        `SELECT count(*)::INTEGER AS n, max(i)::INTEGER AS last, sum(amount)::VARCHAR AS total, max(day)::VARCHAR AS day FROM ${from}`,
    );
    expect(stats).toEqual({ n: ROWS, last: ROWS - 1, total: '312493750.00', day: '2160-11-22' });
    await expect.poll(() => textOf(page, 'export-status')).toContain(`${ROWS.toLocaleString()} rows`);
  });

  it('exports NDJSON with the values execute shows', async () => {
    const file = await download('ndjson');
    expect(file.suggestedFilename()).toBe('dinobase-result.ndjson');
    const lines = readFileSync((await file.path())!, 'utf8').split('\n');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[0]).toBe('{"i":0,"label":"row 0","amount":"0.00","day":"2024-01-01"}');
    expect(lines.at(-1)).toBe('');
  });

  it('exports a whole table from the sidebar', async () => {
    await runSql(page, "CREATE TABLE scratch.shipped AS SELECT i AS id, 'x' || i AS code FROM range(3) t(i)");
    const source = page.getByTestId('source-scratch');
    await source.waitFor({ timeout: 30_000 });
    await source.click();
    await page.getByTestId('table-scratch.shipped').waitFor({ timeout: 30_000 });
    const file = await download('csv', 'Export scratch.shipped');
    expect(file.suggestedFilename()).toBe('shipped.csv');
    expect(readFileSync((await file.path())!, 'utf8')).toBe('id,code\r\n0,x0\r\n1,x1\r\n2,x2\r\n');
  });

  it('shows progress and cancels a long export, saving nothing', async () => {
    await runSql(page, "SELECT i, repeat('x', 200) AS pad FROM range(50000000) t(i)");
    await expect.poll(() => textOf(page, 'truncated'), { timeout: 120_000 }).toContain('of 50,000,000');
    await page.getByRole('button', { name: 'Export the full result' }).click();
    await page.getByTestId('export-ndjson').click();
    await page.getByTestId('export-progress').filter({ hasText: /MB/ }).waitFor({ timeout: 60_000 });
    await page.getByTestId('export-cancel').click();
    // The sidebar's menu keeps its own status line from the test before: this one is the result's.
    await page.getByTestId('export-status').filter({ hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
  });
});
