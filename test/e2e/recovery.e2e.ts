// e2e: the OPFS database stays writable after the WALs DuckDB-WASM 1.32 mishandles: unreplayable, and empty.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../proxy/server.ts';
import { captureConsole, firstCell, freshProfile, launch, runSql, textOf, waitReady } from './browser.ts';

interface BenchPage {
  dinobaseBench: { createBig(rows: number): Promise<number> };
}

let server: RunningServer;
const logs: string[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0 });
});

afterAll(async () => {
  if (process.env.E2E_LOGS) console.log(logs.join('\n'));
  await server?.close();
});

/** A browser on `profile`, on `path` of the app's origin. */
async function visit(profile: string, path = '/'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await launch(profile);
  const page = context.pages()[0] ?? (await context.newPage());
  captureConsole(page, logs);
  await page.goto(server.url + path);
  return { context, page };
}

/** Sizes of the files in the origin's OPFS root, read from a page that does not open the database. */
function opfsFiles(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const out: Record<string, number> = {};
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) {
      const handle = await root.getFileHandle(name).catch(() => null);
      if (handle) out[name] = (await handle.getFile()).size;
    }
    return out;
  });
}

/** Sample loads so far, one per source (stripe, hubspot) and load; they are not syncs, so not in the sync log. */
const SAMPLE_LOADS = "SELECT sum(value::INTEGER) AS loads FROM _dinobase.metadata WHERE key = 'sample_loads'";

/** Loads the sample data (a write that checkpoints) and waits until SAMPLE_LOADS shows `expected` and the load is over. */
async function loadSample(page: Page, expected: string): Promise<void> {
  await page.getByRole('button', { name: 'Load sample data' }).click();
  /** What the page showed at the last poll, said when the count never comes. */
  let seen = '';
  await expect
    .poll(
      async () => {
        // A load that failed says why in the banner; the poll then fails with that reason, not with NULL.
        const failed = await textOf(page, 'session-error');
        if (failed) return `the load failed: ${failed}`;
        // Read before the next Run: the status says "Running…" while the last poll's query has not answered.
        seen = `status "${(await textOf(page, 'status')).trim()}", query error "${await textOf(page, 'query-error')}"`;
        await runSql(page, SAMPLE_LOADS);
        return firstCell(page);
      },
      { timeout: 60_000, interval: 1000 },
    )
    .toBe(expected)
    .catch((error: unknown) => {
      throw new Error(`${String(error)}; at the last poll the page showed ${seen}`, { cause: error });
    });
  // The count shows the last commit; the load is over (and checkpointed, so it survives a restart) only when
  // the app is no longer busy. Closing the browser between the two used to lose the last load on a busy machine.
  await expect
    .poll(() => page.getByRole('button', { name: 'Load sample data' }).isEnabled(), { timeout: 60_000 })
    .toBe(true);
}

/**
 * After a browser restart: the app (at `app`, e.g. `/?duckdb=blocking` for the opt-in driver) opens, the earlier
 * writes are there, and it takes a new one that lasts.
 */
async function writableAcrossRestarts(profile: string, loads: number, app = '/'): Promise<void> {
  let { context, page } = await visit(profile, app);
  await waitReady(page);
  await loadSample(page, `${loads + 2}`);
  await context.close();
  ({ context, page } = await visit(profile, app));
  await waitReady(page);
  await runSql(page, SAMPLE_LOADS);
  await expect.poll(() => firstCell(page), { timeout: 30_000 }).toBe(`${loads + 2}`);
  await context.close();
}

describe('WAL recovery in Chromium', () => {
  it.each([
    ['the default driver', '/'],
    ['the blocking driver, which closes the failed instance in place', '/?duckdb=blocking'],
  ])(
    'keeps writing after DuckDB-WASM fails to replay a stale WAL, and keeps that WAL aside (%s)',
    async (_, app) => {
      const profile = freshProfile();
      const from = logs.length;
      try {
        // A fresh database that then writes 1M rows leaves a WAL that duckdb-wasm 1.32 cannot replay.
        const { context, page } = await visit(profile.dir, '/bench/page.html');
        await page.waitForFunction(() => document.body.dataset.ready === 'true');
        await page.evaluate(
          (rows) => (globalThis as unknown as BenchPage).dinobaseBench.createBig(rows),
          1_000_000,
        );
        await context.close();
        await writableAcrossRestarts(profile.dir, 0, app);
        const { context: last, page: login } = await visit(profile.dir, '/login');
        const files = Object.keys(await opfsFiles(login));
        await last.close();
        expect(files.some((name) => name.startsWith('dinobase.duckdb.wal.unreplayable-'))).toBe(true);
        expect(logs.slice(from).join('\n')).toContain('Failure while replaying WAL');
      } finally {
        profile.remove();
      }
    },
  );

  it('keeps writing when the WAL beside the database is empty (DuckDB-WASM would open it read-only)', async () => {
    const profile = freshProfile();
    try {
      let { context, page } = await visit(profile.dir);
      await waitReady(page);
      await loadSample(page, '2');
      await context.close();
      ({ context, page } = await visit(profile.dir, '/login'));
      await page.evaluate(async () => {
        const root = await navigator.storage.getDirectory();
        const wal = await root.getFileHandle('dinobase.duckdb.wal', { create: true });
        const writable = await wal.createWritable({ keepExistingData: false });
        await writable.close();
      });
      expect((await opfsFiles(page))['dinobase.duckdb.wal']).toBe(0);
      await context.close();
      await writableAcrossRestarts(profile.dir, 2);
    } finally {
      profile.remove();
    }
  });
});
