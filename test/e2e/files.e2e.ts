// Local files as sources in Chromium: pick and drop files, CSV options, replace/append, a malformed file, 200 MB under a heap cap (page and worker), reload, rename and remove.
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import * as parquet from 'parquet-wasm/node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, valueOf, waitReady, type App } from './browser.ts';

let app: App;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'dinobase-e2e-files-'));
/** As journey.e2e.ts: the run takes the screenshot, and replaces the committed one only when asked. */
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'dinobase-shots-'));

beforeAll(async () => {
  app = await openApp({
    prepare: async (context) =>
      (context.pages()[0] ?? (await context.newPage())).setViewportSize({ width: 1440, height: 900 }),
  });
  page = app.page;
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const dialog = () => page.getByTestId('import-dialog');

/** Picks `path` with the sidebar's Import file input and returns once the dialog shows it. */
async function pick(path: string): Promise<void> {
  await page.getByTestId('import-file-input').setInputFiles(path);
  await dialog().waitFor();
}

/** Clicks Import (or `button`) and waits for the dialog to close. */
async function importIt(button = 'Import'): Promise<void> {
  await dialog().getByRole('button', { name: button, exact: true }).click();
  await dialog().waitFor({ state: 'detached', timeout: 240_000 });
}

/** A CDP message as it comes back from a worker (a reply, or an event of its own auto-attach). */
interface TargetMessage {
  id?: number;
  method?: string;
  params?: { sessionId?: string; message?: string; targetInfo?: { type: string; url: string } };
  result?: { usedSize?: number };
}

/**
 * The JS heaps of the page's workers and of the workers they start (DuckDB-WASM's, inside the engine worker),
 * over CDP. Sessions are attached unflattened, so everything travels as Target.sendMessageToTarget /
 * receivedMessageFromTarget on the page's one session, nested per level (playwright's CDPSession cannot
 * address a child session directly). `peaks` is keyed by the worker's script URL.
 */
async function workerHeaps(page: Page): Promise<{ peaks: Map<string, number>; sample(): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  const sessions = new Map<string, { chain: string[]; url: string }>();
  const waiting = new Map<number, (used: number) => void>();
  const peaks = new Map<string, number>();
  let id = 0;
  const send = (chain: string[], method: string, params: object = {}) => {
    let message = JSON.stringify({ id: ++id, method, params });
    for (let i = chain.length - 1; i > 0; i--)
      message = JSON.stringify({
        id: ++id,
        method: 'Target.sendMessageToTarget',
        params: { sessionId: chain[i], message },
      });
    void cdp.send('Target.sendMessageToTarget', { sessionId: chain[0]!, message });
    return id - (chain.length - 1);
  };
  const autoAttach = { autoAttach: true, waitForDebuggerOnStart: false, flatten: false };
  const attached = (chain: string[], url: string) => {
    sessions.set(chain.at(-1)!, { chain, url });
    send(chain, 'Target.setAutoAttach', autoAttach);
  };
  // A worker that goes away answers nothing: pending reads settle at 0 rather than hang the poll.
  const detached = (sessionId: string) => {
    if (!sessions.delete(sessionId)) return;
    for (const resolve of waiting.values()) resolve(0);
    waiting.clear();
  };
  const received = (chain: string[], raw: string): void => {
    const message = JSON.parse(raw) as TargetMessage;
    const { sessionId, targetInfo } = message.params ?? {};
    if (message.method === 'Target.receivedMessageFromTarget' && sessionId && message.params?.message)
      return received([...chain, sessionId], message.params.message);
    if (message.method === 'Target.attachedToTarget' && sessionId && targetInfo?.type === 'worker')
      return attached([...chain, sessionId], targetInfo.url);
    if (message.method === 'Target.detachedFromTarget' && sessionId) return detached(sessionId);
    if (message.id === undefined) return;
    waiting.get(message.id)?.(message.result?.usedSize ?? 0);
    waiting.delete(message.id);
  };
  cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    if (targetInfo.type === 'worker') attached([sessionId], targetInfo.url);
  });
  cdp.on('Target.detachedFromTarget', ({ sessionId }) => sessionId && detached(sessionId));
  cdp.on(
    'Target.receivedMessageFromTarget',
    ({ sessionId, message }) => sessionId && received([sessionId], message),
  );
  await cdp.send('Target.setAutoAttach', autoAttach);
  await expect.poll(() => sessions.size, { timeout: 30_000 }).toBeGreaterThan(0);
  const heapOf = (chain: string[]) =>
    new Promise<number>((resolve) => waiting.set(send(chain, 'Runtime.getHeapUsage'), resolve));
  return {
    peaks,
    async sample() {
      for (const { chain, url } of [...sessions.values()]) {
        const used = await heapOf(chain);
        peaks.set(url, Math.max(peaks.get(url) ?? 0, used));
      }
    },
  };
}

describe('files as sources', () => {
  it('imports a picked CSV with a sniffed delimiter into files.<name>, shown with a file badge', async () => {
    await pick(write('Q3 Sales.csv', 'id;customer;amount\n1;Acme;10.5\n2;"Beta; Inc";20\n3;Gamma;7\n'));
    await expect.poll(() => dialog().getByLabel('Table name').inputValue()).toBe('q3_sales');
    await importIt();
    const source = page.getByTestId('source-files');
    await source.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.getByTestId('sync-files').getByTestId('badge').getAttribute('data-badge'))
      .toBe('file');
    expect(await valueOf(page, 'SELECT sum(amount) FROM files.q3_sales')).toBe('37.5');
    expect(await valueOf(page, 'SELECT customer FROM files.q3_sales WHERE id = 2')).toBe('Beta; Inc');
  });

  it('takes the CSV options from the dialog, and asks Replace or Append for a taken name', async () => {
    await pick(write('q3_sales.txt', '4|Delta|1\n5|Echo|2\n'));
    await dialog().getByLabel('Table name').fill('q3_sales');
    await dialog().getByLabel('Delimiter').selectOption('|');
    await dialog().getByLabel('Header row').selectOption('no');
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await expect
      .poll(() => dialog().getByRole('alert').first().textContent())
      .toContain('files.q3_sales already exists');
    // The sidebar's files source, opened under the dialog (the backdrop takes pointer clicks), for the screenshot.
    if ((await page.getByTestId('source-files').getAttribute('aria-expanded')) !== 'true')
      await page.getByTestId('source-files').dispatchEvent('click');
    await expect.poll(() => page.getByTestId('source-files').getAttribute('aria-expanded')).toBe('true');
    await page.screenshot({ path: join(SHOTS, 'files.png') });
    // Replaced by the headerless file: its columns are column0…, which the next file appends to by name.
    await dialog().getByRole('button', { name: 'Replace', exact: true }).click();
    await dialog().waitFor({ state: 'detached', timeout: 60_000 });
    expect(await valueOf(page, 'SELECT count(*) FROM files.q3_sales')).toBe('2');
    expect(await valueOf(page, 'SELECT column1 FROM files.q3_sales WHERE column0 = 5')).toBe('Echo');

    await pick(write('q3_sales.csv', 'column0,column1,column2\n6,Foxtrot,3\n'));
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await dialog().getByRole('button', { name: 'Append', exact: true }).click();
    await dialog().waitFor({ state: 'detached', timeout: 60_000 });
    expect(await valueOf(page, 'SELECT count(*) FROM files.q3_sales')).toBe('3');
  });

  it('imports Parquet by row group', async () => {
    const n = 5000;
    const arrow = tableFromArrays({
      id: Int32Array.from({ length: n }, (_, i) => i),
      label: Array.from({ length: n }, (_, i) => `row ${i}`),
    });
    const props = new parquet.WriterPropertiesBuilder().setMaxRowGroupSize(1000).build();
    const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(arrow, 'stream')), props);
    await pick(write('metrics.parquet', bytes));
    await importIt();
    expect(await valueOf(page, "SELECT count(*) || '/' || max(id) FROM files.metrics")).toBe('5000/4999');
  });

  it('shows where a malformed file fails, and imports nothing', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `${i},x${i}\n`).join('');
    await pick(write('broken.csv', `id,name\n${lines}7,x,extra\n${lines}`));
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('import-error').textContent(), { timeout: 60_000 })
      .toMatch(/"broken\.csv" at line 402/);
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await dialog().waitFor({ state: 'detached' });
    expect(
      await valueOf(
        page,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'files' AND table_name = 'broken'",
      ),
    ).toBe('0');
  });

  it('imports a file dropped anywhere on the app', async () => {
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n'], 'dropped.ndjson'));
      const target = document.querySelector('main') ?? document.body;
      for (const type of ['dragenter', 'dragover', 'drop'])
        target.dispatchEvent(
          new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
    });
    await dialog().waitFor();
    await expect.poll(() => dialog().getByLabel('Table name').inputValue()).toBe('dropped');
    await importIt();
    expect(await valueOf(page, 'SELECT sum(a) FROM files.dropped')).toBe('3');
  });

  it('imports a 200 MB CSV with the page and worker JS heaps each under 300 MB, and the tables survive a reload', async () => {
    const path = join(dir, 'big.csv');
    const out = createWriteStream(path);
    out.write('id,name,amount\n');
    let rows = 0;
    let bytes = 0;
    while (bytes < 200 * 1024 * 1024) {
      const chunk = Array.from(
        { length: 50_000 },
        (_, i) => `${rows + i},customer ${rows + i},${(rows + i) % 997}.25\n`,
      ).join('');
      rows += 50_000;
      bytes += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');

    const cdp = await page.context().newCDPSession(page);
    let peak = 0;
    const workers = await workerHeaps(page);
    const sample = async () => {
      const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      peak = Math.max(peak, usedSize);
      await workers.sample();
    };
    await pick(path);
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    // Sampled until the dialog closes (the import's end): the heaps are measured throughout, not after.
    await expect
      .poll(async () => (await sample(), await dialog().count()), { timeout: 300_000, interval: 250 })
      .toBe(0);
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `200 MB CSV import, peak JS heap: page ${mb(peak)}; ` +
        [...workers.peaks]
          .map(
            ([url, used]) =>
              `worker ${url.startsWith('blob:') ? '(blob: DuckDB-WASM)' : url.split('/').pop()} ${mb(used)}`,
          )
          .join('; '),
    );
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(300 * 1024 * 1024);
    const engine = [...workers.peaks].find(([url]) => url.includes('main'));
    expect(engine?.[1]).toBeGreaterThan(0);
    // DuckDB-WASM's own worker (a blob: URL the engine worker starts) is measured too, one level down.
    expect([...workers.peaks.keys()].some((url) => url.startsWith('blob:'))).toBe(true);
    for (const [, used] of workers.peaks) expect(used).toBeLessThan(300 * 1024 * 1024);
    expect(await valueOf(page, 'SELECT count(*) FROM files.big')).toBe(String(rows));

    await page.reload();
    await waitReady(page);
    expect(await valueOf(page, 'SELECT count(*) FROM files.big')).toBe(String(rows));
    expect(await valueOf(page, 'SELECT count(*) FROM files.dropped')).toBe('2');
  });

  it("renames a files table inline, shows the engine's refusals, and removes one after a confirm", async () => {
    const files = page.getByTestId('sync-files');
    if ((await page.getByTestId('source-files').getAttribute('aria-expanded')) !== 'true')
      await page.getByTestId('source-files').click();
    await page.getByRole('button', { name: 'Rename files.metrics' }).click();
    const rename = files.getByTestId('file-table-rename');
    await rename.getByLabel('New name').fill('q3_sales');
    await rename.getByRole('button', { name: 'Rename', exact: true }).click();
    await expect
      .poll(() => rename.getByRole('alert').textContent())
      .toContain('files.q3_sales already exists');
    await rename.getByLabel('New name').fill('Bad Name');
    await rename.getByRole('button', { name: 'Rename', exact: true }).click();
    await expect.poll(() => rename.getByRole('alert').textContent()).toContain('Bad Name');
    await rename.getByLabel('New name').fill('kpis');
    await rename.getByRole('button', { name: 'Rename', exact: true }).click();
    await rename.waitFor({ state: 'detached' });
    await page.getByTestId('table-files.kpis').waitFor();
    expect(await page.getByTestId('table-files.metrics').count()).toBe(0);
    expect(await valueOf(page, 'SELECT count(*) FROM files.kpis')).toBe('5000');

    await page.getByRole('button', { name: 'Remove files.kpis' }).click();
    const remove = files.getByTestId('file-table-remove');
    await expect.poll(() => remove.textContent()).toContain('Remove files.kpis');
    await remove.getByRole('button', { name: 'Cancel' }).click();
    await remove.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Remove files.kpis' }).click();
    await remove.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByTestId('table-files.kpis').waitFor({ state: 'detached' });
    expect(
      await valueOf(
        page,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'files' AND table_name IN ('kpis', 'metrics')",
      ),
    ).toBe('0');
  });
});
