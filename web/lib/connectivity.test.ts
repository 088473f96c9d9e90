// ConnectivityWatch: browser offline events, a server that stops answering, and coming back.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectivityWatch, type OfflineReason } from './connectivity.ts';

let stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

function setup(heartbeatMs = 40) {
  const state = { online: true, serverUp: true, probes: 0, reached: 0 };
  const changes: (OfflineReason | null)[] = [];
  const win = new EventTarget();
  const watch = new ConnectivityWatch({
    onChange: (reason) => changes.push(reason),
    onReachable: () => (state.reached += 1),
    events: { window: win },
    browserOnline: () => state.online,
    retryMs: 20,
    heartbeatMs,
    fetch: async () => {
      state.probes += 1;
      if (!state.serverUp) throw new TypeError('Failed to fetch');
      return new Response('{"status":"ok"}');
    },
  });
  stops.push(watch.start());
  return { state, changes, win, watch };
}

describe('ConnectivityWatch', () => {
  it('stays online while the server answers', async () => {
    const { state, watch, changes } = setup();
    await vi.waitFor(() => expect(state.probes).toBeGreaterThan(0));
    expect(watch.reason).toBeNull();
    expect(changes).toEqual([]);
  });

  it('goes offline on the browser event and re-probes when it is back', async () => {
    const { state, watch, win } = setup();
    state.online = false;
    win.dispatchEvent(new Event('offline'));
    expect(watch.reason).toBe('browser_offline');
    state.online = true;
    win.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(watch.reason).toBeNull());
  });

  it('notices a stopped server on the heartbeat and recovers on a retry', async () => {
    const { state, watch, changes } = setup();
    await vi.waitFor(() => expect(state.probes).toBeGreaterThan(0));
    state.serverUp = false;
    await vi.waitFor(() => expect(watch.reason).toBe('server_unreachable'));
    state.serverUp = true;
    await vi.waitFor(() => expect(watch.reason).toBeNull());
    expect(changes).toEqual(['server_unreachable', null]);
  });

  it('says each time the server answered, so a list that failed before can be read again', async () => {
    const { state } = setup();
    await vi.waitFor(() => expect(state.reached).toBeGreaterThan(0));
    state.serverUp = false;
    await vi.waitFor(() => expect(state.probes).toBeGreaterThan(3));
    const reached = state.reached;
    const probes = state.probes;
    // Failed probes say nothing.
    await vi.waitFor(() => expect(state.probes).toBeGreaterThan(probes + 2));
    expect(state.reached).toBe(reached);
    state.serverUp = true;
    await vi.waitFor(() => expect(state.reached).toBeGreaterThan(reached));
  });

  it('re-checks at once when a request is reported as failed', async () => {
    // No heartbeat within the test: only the report can find out.
    const { state, watch } = setup(60_000);
    await vi.waitFor(() => expect(state.probes).toBeGreaterThan(0));
    state.serverUp = false;
    watch.report();
    await vi.waitFor(() => expect(watch.reason).toBe('server_unreachable'), { timeout: 5_000, interval: 5 });
  });
});
