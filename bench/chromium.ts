// Chromium for the benchmarks: the built app served by the real server, in Debian's Chromium on a fresh profile.
import type { Page } from 'playwright-core';
import { startServer, type RunningServer } from '../proxy/server.ts';
import { freshProfile, launch } from '../test/e2e/browser.ts';

/**
 * Runs `task` on the first page of a fresh browser, beside a server on a free port serving ./dist (or the
 * build BENCH_DIST names), and tears both down afterwards.
 */
export async function inChromium<T>(task: (page: Page, server: RunningServer) => Promise<T>): Promise<T> {
  const server = await startServer({ port: 0, distDir: process.env.BENCH_DIST });
  const profile = freshProfile();
  const context = await launch(profile.dir);
  try {
    return await task(context.pages()[0] ?? (await context.newPage()), server);
  } finally {
    await context.close();
    await server.close();
    profile.remove();
  }
}

/** Waits until the benchmark page (bench/page.ts) has installed `dinobaseBench`. */
export async function benchReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}

/** Opens the benchmark page and waits until it is ready. */
export async function openBenchPage(page: Page, server: RunningServer): Promise<void> {
  await page.goto(`${server.url}/bench/page.html`);
  await benchReady(page);
}
