// Memory of a Chromium tab while a benchmark runs: its workers' JS heaps over CDP, its renderer process's RSS from /proc.
import { readFileSync, readdirSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';

const MB = 1024 * 1024;

interface HeapUsage {
  usedSize: number;
  totalSize: number;
}

/**
 * The page's dedicated workers, attached over the page's CDP session. Playwright's API cannot reach a worker's
 * CDP domains, so this session auto-attaches in the (older) non-flattened mode, where commands to a worker
 * travel inside `Target.sendMessageToTarget` on the page's session.
 */
export async function attachWorkers(page: Page): Promise<{
  /** Sends a CDP command to the first worker whose script URL matches; null if none is attached or it never answers. */
  send(url: RegExp, method: string, params?: object, timeoutMs?: number): Promise<unknown>;
  /** `Runtime.getHeapUsage` of the first worker whose script URL matches, or null if none is attached. */
  heap(url: RegExp): Promise<HeapUsage | null>;
  detach(): Promise<void>;
}> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const workers = new Map<string, string>();
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 0;
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.set(e.sessionId, e.targetInfo.url);
  });
  cdp.on('Target.detachedFromTarget', (e) => workers.delete(e.sessionId));
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const message = JSON.parse(e.message) as { id?: number; result?: unknown };
    if (message.id === undefined) return;
    pending.get(message.id)?.(message.result ?? null);
    pending.delete(message.id);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  async function send(url: RegExp, method: string, params: object = {}, timeoutMs = 5_000) {
    const sessionId = [...workers].find(([, u]) => url.test(u))?.[0];
    if (!sessionId) return null;
    const id = ++nextId;
    const answer = new Promise<unknown>((resolve) => pending.set(id, resolve));
    const message = JSON.stringify({ id, method, params });
    await cdp.send('Target.sendMessageToTarget', { sessionId, message }).catch(() => pending.delete(id));
    // A worker that went away never answers: give it up rather than hang the sampler.
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs).unref());
    return Promise.race([answer, timeout]);
  }
  return {
    send,
    heap: async (url) => (await send(url, 'Runtime.getHeapUsage')) as HeapUsage | null,
    detach: () => cdp.detach().catch(() => {}),
  };
}

/**
 * The resident memory, in bytes, of the largest renderer process of the browser whose profile is `profileDir`
 * (Chromium gives each renderer the --user-data-dir flag); the app's renderer holds the page, the engine worker
 * and DuckDB's worker with its wasm memory. 0 when none is found (not Linux).
 */
export function rendererRss(profileDir: string): number {
  let largest = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      // Zygote children rewrite their title: the flags may come as one space-separated string.
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      if (!args.includes('--type=renderer') || args.includes('--top-chrome-webui')) continue;
      if (!args.includes(`--user-data-dir=${profileDir}`)) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) largest = Math.max(largest, Number(rss[1]) * 1024);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return largest;
}

export interface MemoryPeaks {
  /** The engine worker's peak used JS heap, MB (CDP Runtime.getHeapUsage). */
  engineHeapMb: number;
  /** The app renderer's peak RSS, MB: page, workers, and DuckDB's wasm memory. */
  rendererRssMb: number;
  samples: number;
}

/**
 * Samples until `stop()`: the engine worker's heap and the renderer's RSS, one sample at a time every `everyMs`,
 * calling `tick` every ~15 s (progress for long runs).
 */
export async function sampleTab(
  page: Page,
  profileDir: string,
  engineUrl: RegExp,
  tick: (peaks: MemoryPeaks) => Promise<void>,
  everyMs = 250,
): Promise<{ stop(): Promise<MemoryPeaks> }> {
  const workers = await attachWorkers(page);
  const peaks: MemoryPeaks = { engineHeapMb: 0, rendererRssMb: 0, samples: 0 };
  let stopped = false;
  let lastTick = performance.now();
  const loop = (async () => {
    while (!stopped) {
      const heap = await workers.heap(engineUrl);
      if (heap) {
        peaks.engineHeapMb = Math.max(peaks.engineHeapMb, heap.usedSize / MB);
        peaks.samples++;
      }
      peaks.rendererRssMb = Math.max(peaks.rendererRssMb, rendererRss(profileDir) / MB);
      if (performance.now() - lastTick > 15_000) {
        lastTick = performance.now();
        await tick(peaks);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await workers.detach();
      return peaks;
    },
  };
}
