// The tab election with a FIFO fake of navigator.locks and Node's real BroadcastChannel.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TabElection, type TabLocks, type TabRole } from './tabs.ts';

/** An exclusive lock with a FIFO queue, ifAvailable-free, abortable: what Chromium's LockManager does for one name. */
class FakeLocks implements TabLocks {
  #held = false;
  #queue: (() => void)[] = [];
  /** How long a free lock takes to be granted: a page's main thread busy while it starts. */
  #grantMs: number;

  constructor(options: { grantMs?: number } = {}) {
    this.#grantMs = options.grantMs ?? 0;
  }

  async request(
    _name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean },
    callback: (lock: Lock | null) => Promise<void>,
  ): Promise<void> {
    if (this.#grantMs > 0) await new Promise((done) => setTimeout(done, this.#grantMs));
    if (options.ifAvailable && this.#held) return callback(null);
    await new Promise<void>((granted, refused) => {
      if (!this.#held) {
        this.#held = true;
        return granted();
      }
      const grant = () => granted();
      this.#queue.push(grant);
      options.signal?.addEventListener('abort', () => {
        this.#queue = this.#queue.filter((g) => g !== grant);
        refused(new DOMException('aborted', 'AbortError'));
      });
    });
    try {
      await callback({ name: _name, mode: 'exclusive' });
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#held = false;
    }
  }
}

interface Tab {
  election: TabElection;
  roles: TabRole[];
  acquired: number;
  released: number;
}

let tabs: Tab[] = [];
let name = '';
let locks: FakeLocks;

/** A tab of this test's election; `null` locks stand for a browser without Web Locks. */
function openTab(tabLocks: TabLocks | null = locks): Tab {
  const tab: Tab = { roles: [], acquired: 0, released: 0, election: null as unknown as TabElection };
  tab.election = new TabElection({
    name,
    locks: tabLocks,
    acquire: async () => {
      tab.acquired += 1;
    },
    release: async () => {
      await new Promise((done) => setTimeout(done, 10));
      tab.released += 1;
    },
    onRole: (role) => tab.roles.push(role),
  });
  tab.election.start();
  tabs.push(tab);
  return tab;
}

async function until(check: () => boolean): Promise<void> {
  await vi.waitFor(() => expect(check()).toBe(true), { timeout: 3000, interval: 5 });
}

/** The usual start: a first tab that owns the database and a second queued behind it. */
async function ownerAndWaiting(): Promise<[Tab, Tab]> {
  const first = openTab();
  await until(() => first.election.role === 'owner');
  const second = openTab();
  await until(() => second.election.role === 'waiting');
  return [first, second];
}

beforeEach(() => {
  name = `test-${crypto.randomUUID()}`;
  locks = new FakeLocks();
});

afterEach(async () => {
  await Promise.all(tabs.map((t) => t.election.stop()));
  tabs = [];
});

describe('TabElection', () => {
  it('lets the first tab own the database and queues the second', async () => {
    const [first, second] = await ownerAndWaiting();
    expect(first.acquired).toBe(1);
    expect(second.acquired).toBe(0);
  });

  it('"Use here" makes the owner close and hand over; the old owner shows it moved', async () => {
    const [first, second] = await ownerAndWaiting();
    second.election.useHere();
    expect(second.election.role).toBe('claiming');
    await until(() => second.election.role === 'owner');
    expect(first.released).toBe(1);
    expect(first.election.role).toBe('moved');
    expect(first.roles).toEqual(['owner', 'releasing', 'moved']);
    expect(second.acquired).toBe(1);
    // And back: the first tab is queued again, so its own "Use here" works the same way.
    first.election.useHere();
    await until(() => first.election.role === 'owner');
    expect(second.released).toBe(1);
    expect(first.acquired).toBe(2);
  });

  it('hands the database to a waiting tab when the owner closes', async () => {
    const [first, second] = await ownerAndWaiting();
    await first.election.stop();
    await until(() => second.election.role === 'owner');
    expect(second.acquired).toBe(1);
  });

  it('gives the database to the tab that clicked "Use here", not to one queued earlier', async () => {
    const first = openTab();
    await until(() => first.election.role === 'owner');
    const second = openTab();
    const third = openTab();
    await until(() => second.election.role === 'waiting' && third.election.role === 'waiting');
    third.election.useHere();
    await until(() => third.election.role === 'owner');
    expect(second.election.role).toBe('waiting');
    expect(second.acquired).toBe(0);
    expect(first.election.role).toBe('moved');
  });

  it('never tells a tab that is alone that another tab holds the database, however late the lock comes', async () => {
    locks = new FakeLocks({ grantMs: 600 });
    const tab = openTab();
    await until(() => tab.election.role === 'owner');
    expect(tab.roles).toEqual(['owner']);
  });

  it('owns at once where there are no Web Locks', async () => {
    const tab = openTab(null);
    await until(() => tab.acquired === 1);
    expect(tab.election.role).toBe('owner');
  });
});
