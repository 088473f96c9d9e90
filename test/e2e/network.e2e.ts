// e2e: the engine never reaches the network by itself, on both DuckDB-WASM drivers: URLs in SQL and missing extensions send no request anywhere.
import { createServer, type Server } from 'node:http';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstCell, openApp, runSql, textOf, type App } from './browser.ts';

let app: App;
let page: Page;
/** Every request the page, its workers and DuckDB's nested worker made, as Chromium saw them. */
const requests: string[] = [];
/** A real listener on another loopback port: anything DuckDB sent to it lands here. */
const hits: string[] = [];
let canary: Server;
let canaryUrl = '';

beforeAll(async () => {
  canary = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('content-type', 'text/csv');
    res.end('leaked,secret\n1,2\n');
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  const address = canary.address();
  if (address === null || typeof address === 'string') throw new Error('the canary has no port');
  canaryUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => canary?.close(resolve));
});

/** The app on `search` (the default driver, or `?duckdb=blocking`), every request it makes noted. */
function appOn(search: string): void {
  beforeAll(async () => {
    requests.length = 0;
    app = await openApp({
      search,
      prepare: (context) =>
        void context.on('request', (request: Request) => void requests.push(request.url())),
    });
    ({ page } = app);
  });
  afterAll(async () => {
    await app?.close();
  });
}

let step = 0;

/**
 * Runs `sql` in the editor after a marker query has cleared the previous outcome, and returns its error text,
 * or '' when it showed a result (its first cell is then in `cell`).
 */
async function outcome(sql: string): Promise<{ error: string; cell: string }> {
  const mark = `mark_${++step}`;
  await runSql(page, `SELECT '${mark}' AS ${mark}`);
  await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe(mark);
  await runSql(page, sql);
  await expect
    .poll(
      async () => (await textOf(page, 'query-error')) || ((await firstCell(page)) !== mark ? 'result' : ''),
      {
        timeout: 30_000,
      },
    )
    .not.toBe('');
  const error = await textOf(page, 'query-error');
  return { error, cell: error ? '' : await firstCell(page) };
}

/** What holds on either driver: the lockdown refuses, and every request stays on the app's origin. */
function lockedDown(): void {
  it('refuses URLs in SQL at once, and the canary hears nothing', async () => {
    const port = new URL(canaryUrl).port;
    const forms = [
      `SELECT * FROM read_csv('${canaryUrl}/read-csv.csv')`,
      `select * from READ_CSV_AUTO('${canaryUrl}/upper-case.csv')`,
      `SELECT content FROM read_text('${canaryUrl}/read-text.txt')`,
      `SELECT content FROM read_blob('${canaryUrl}/read-blob.bin')`,
      `SELECT * FROM '${canaryUrl}/replacement-scan.csv'`,
      `FROM '${canaryUrl}/from-first.csv'`,
      `SELECT * FROM glob('${canaryUrl}/glob-*.csv')`,
      `WITH leak AS (SELECT * FROM read_csv('${canaryUrl}/in-a-cte.csv')) SELECT * FROM leak`,
      `SELECT * FROM read_csv('HtTp://127.0.0.1:${port}/mixed-case.csv')`,
      `SELECT * FROM read_csv('https://127.0.0.1:${port}/tls.csv')`,
      `SELECT * FROM read_csv('s3://dinobase-canary/s3-form.csv')`,
    ];
    for (const sql of forms) {
      const { error } = await outcome(sql);
      expect(error, sql).toContain('Dinobase never reaches the network from SQL');
      expect(error, sql).toMatch(/"(https?|HtTp|s3):\/\/[^"]+" is a remote path/);
    }
    // Through missing extensions, or statements the editor refuses before DuckDB sees them.
    const others = [
      `SELECT * FROM parquet_scan('${canaryUrl}/parquet-scan.parquet')`,
      `SELECT * FROM read_json_auto('${canaryUrl}/read-json.json')`,
      `ATTACH '${canaryUrl}/attach.duckdb' AS remote`,
      `COPY (SELECT 42) TO '${canaryUrl}/copy-to.csv'`,
      'SET enable_external_access = true',
      'RESET lock_configuration',
      "SET disabled_filesystems = ''",
      `INSTALL httpfs FROM '${canaryUrl}'`,
    ];
    for (const sql of others) {
      const { error } = await outcome(sql);
      expect(error, sql).toMatch(/never downloads one|not allowed|refused|read-only|Only reads/i);
    }
    // Still locked after the attempts.
    expect((await outcome(`SELECT * FROM read_csv('${canaryUrl}/after-set.csv')`)).error).toContain(
      'never reaches the network',
    );
    expect(hits).toEqual([]);
    expect(requests.filter((url) => url.startsWith(canaryUrl))).toEqual([]);
  });

  it('runs time, JSON and Parquet functions with a result or a clear error, and every request stays on the app origin', async () => {
    const origin = new URL(app.server.url).origin;
    const session: { sql: string; expect: RegExp }[] = [
      { sql: 'SELECT to_timestamp(1700000000) AS t', expect: /^2023-11-14/ },
      { sql: "SELECT date_trunc('day', to_timestamp(1700000000)) AS d", expect: /icu extension/ },
      { sql: "SELECT strftime(to_timestamp(1700000000), '%Y') AS y", expect: /icu extension/ },
      { sql: "SELECT date_part('year', now()) AS y", expect: /^\d{4}$|icu extension/ },
      { sql: "SELECT date_trunc('month', now()) AS m", expect: /icu extension/ },
      { sql: 'SELECT epoch(to_timestamp(1700000000)) AS e', expect: /^1700000000$|icu extension/ },
      { sql: "SELECT date_trunc('day', to_timestamp(1700000000)::TIMESTAMP) AS d", expect: /^2023-11-14/ },
      { sql: "SELECT strftime(make_timestamp(1700000000::BIGINT * 1000000), '%Y') AS y", expect: /^2023$/ },
      { sql: `SELECT json_extract('{"a":1}', '$.a') AS j`, expect: /json extension/ },
      { sql: `SELECT '{"a":1}'::JSON AS j`, expect: /json extension/ },
      { sql: `SELECT '{"a":1}'->>'a' AS j`, expect: /json extension/ },
      { sql: "SELECT * FROM read_json('rows.json')", expect: /json extension/ },
      { sql: "SELECT * FROM read_parquet('rows.parquet')", expect: /parquet extension/ },
      {
        sql: "COPY (SELECT 1) TO 'rows.parquet' (FORMAT parquet)",
        expect: /not allowed|refused|Only reads/i,
      },
    ];
    for (const { sql, expect: wanted } of session) {
      const { error, cell } = await outcome(sql);
      expect(error || cell, sql).toMatch(wanted);
      if (error && /extension/.test(error)) expect(error, sql).toMatch(/instead|cast to/i);
    }
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(hits).toEqual([]);
  });

  it('loads DuckDB-WASM without the "instantiating without progress handler" warning', () => {
    expect(app.logs.filter((line) => /progress handler/.test(line))).toEqual([]);
  });
}

describe('the engine never reaches the network by itself (default driver)', () => {
  appOn('');
  lockedDown();

  it("gives DuckDB's own worker no way out either: no XMLHttpRequest, and fetch only for its wasm", async () => {
    await expect.poll(() => page.workers().filter((w) => w.url().startsWith('blob:')).length).toBe(1);
    const duckWorker = page.workers().find((w) => w.url().startsWith('blob:'))!;
    const probe = await duckWorker.evaluate(async (target) => {
      const fetched = await fetch(`${target}/from-duckdb-worker.csv`).then(
        (response) => `sent: ${response.status}`,
        (error: unknown) => String(error),
      );
      return { fetched, xhr: typeof XMLHttpRequest };
    }, canaryUrl);
    expect(probe).toEqual({
      fetched: expect.stringContaining("DuckDB's worker fetches nothing but its wasm"),
      xhr: 'undefined',
    });
    expect(hits).toEqual([]);
  });

  it("compiles DuckDB's wasm once, from the fetch its worker starts with (the prelude's early compile)", async () => {
    await expect.poll(() => page.workers().some((w) => w.url().startsWith('blob:'))).toBe(true);
    const duckWorker = page.workers().find((w) => w.url().startsWith('blob:'))!;
    await expect
      .poll(() =>
        duckWorker.evaluate(() => ({
          marks: performance
            .getEntriesByType('mark')
            .map((mark) => mark.name)
            .filter((name) => name.startsWith('dinobase:wasm')),
          fetches: performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('.wasm'))
            .length,
        })),
      )
      .toEqual({ marks: ['dinobase:wasm-compiled', 'dinobase:wasm-taken'], fetches: 1 });
  });
});

describe('the engine never reaches the network by itself (?duckdb=blocking)', () => {
  appOn('?duckdb=blocking');
  lockedDown();

  it('gives the engine worker, where DuckDB runs, no XMLHttpRequest, and spawns no DuckDB worker', async () => {
    expect(page.workers().filter((w) => w.url().startsWith('blob:'))).toEqual([]);
    const names = await Promise.all(
      page.workers().map((w) => w.evaluate(() => [self.name, typeof XMLHttpRequest]).catch(() => null)),
    );
    expect(names).toContainEqual(['dinobase-engine duckdb=blocking', 'undefined']);
    expect(hits).toEqual([]);
  });
});
