// The tab channel: calls reach the newest channel, only it answers, closing or silence fails the call clearly.
import { describe, expect, it } from 'vitest';
import { AgentBridge, parseAnswer } from './agent-bridge.ts';
import { ProxyError } from './errors.ts';

/** Reads a channel's SSE events one at a time, as a tab's EventSource would. */
function reader(stream: ReadableStream<Uint8Array>) {
  const source = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<{ event: string; data: Record<string, unknown> }> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) continue;
          const event = /^event: (.*)$/m.exec(block)![1]!;
          const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Record<string, unknown>;
          return { event, data };
        }
        const { value, done } = await source.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => source.cancel(),
  };
}

async function connect(bridge: AgentBridge) {
  const tab = reader(bridge.connect());
  const hello = await tab.next();
  expect(hello.event).toBe('hello');
  return { ...tab, channel: hello.data.channel as string };
}

const bridgeFor = (timeoutMs = 60_000) => new AgentBridge({ appUrl: () => 'http://127.0.0.1:9', timeoutMs });
const toolCall = {
  op: 'tool',
  name: 'query',
  args: { sql: 'SELECT 1' },
  client: 'c',
  agentsMayConfirm: true,
} as const;

describe('AgentBridge', () => {
  it('with no tab, a call fails at once, saying where to open Dinobase', async () => {
    const bridge = bridgeFor();
    expect(bridge.connected).toBe(false);
    await expect(bridge.call(toolCall)).rejects.toThrow(/open Dinobase at http:\/\/127\.0\.0\.1:9/);
  });

  it('relays a call to the tab and resolves with its answer', async () => {
    const bridge = bridgeFor();
    const tab = await connect(bridge);
    const result = bridge.call(toolCall);
    const call = await tab.next();
    expect(call.event).toBe('call');
    expect(call.data).toMatchObject({ op: 'tool', name: 'query', args: { sql: 'SELECT 1' }, client: 'c' });
    bridge.answer(tab.channel, {
      id: call.data.id as string,
      result: { text: '{"rows":[[1]]}', isError: false },
    });
    await expect(result).resolves.toEqual({ text: '{"rows":[[1]]}', isError: false });
  });

  it("only the channel a call went to may answer it, and a tab's error comes back as its message", async () => {
    const bridge = bridgeFor();
    const tab = await connect(bridge);
    const result = bridge.call({ op: 'instructions' });
    const call = await tab.next();
    const id = call.data.id as string;
    expect(() => bridge.answer('someone-else', { id, result: 'forged' })).toThrow(ProxyError);
    expect(() => bridge.answer(tab.channel, { id: 'no-such-call', result: 'x' })).toThrow(/No call/);
    bridge.answer(tab.channel, { id, error: 'Database is closed' });
    await expect(result).rejects.toThrow('Database is closed');
    // Answered once: a replay is refused.
    expect(() => bridge.answer(tab.channel, { id, result: 'again' })).toThrow(/No call/);
  });

  it('a tab that closes mid-call fails the call with a clear error', async () => {
    const bridge = bridgeFor();
    const tab = await connect(bridge);
    const result = bridge.call(toolCall);
    await tab.next();
    await tab.cancel();
    await expect(result).rejects.toThrow(/tab closed or reloaded during the call/);
    expect(bridge.connected).toBe(false);
  });

  it('a tab that never answers fails the call when it times out', async () => {
    const bridge = bridgeFor(50);
    const tab = await connect(bridge);
    const result = bridge.call(toolCall);
    await tab.next();
    await expect(result).rejects.toThrow(/did not answer within/);
  });

  it('calls go to the newest channel (the tab that took the database), and back when it leaves', async () => {
    const bridge = bridgeFor();
    const first = await connect(bridge);
    const second = await connect(bridge);
    const toSecond = bridge.call(toolCall);
    const call = await second.next();
    bridge.answer(second.channel, { id: call.data.id as string, result: { text: 'second', isError: false } });
    await expect(toSecond).resolves.toMatchObject({ text: 'second' });
    await second.cancel();
    const toFirst = bridge.call(toolCall);
    const again = await first.next();
    bridge.answer(first.channel, { id: again.data.id as string, result: { text: 'first', isError: false } });
    await expect(toFirst).resolves.toMatchObject({ text: 'first' });
  });

  it('a socket channel: calls go down it, only its own answers count, and its close fails its calls', async () => {
    const bridge = bridgeFor();
    const sse = await connect(bridge);
    const sent: Record<string, unknown>[] = [];
    let closed = false;
    const socket = bridge.attachSocket({
      send: (text) => sent.push(JSON.parse(text) as Record<string, unknown>),
      close: () => (closed = true),
    });
    expect(bridge.transport).toBe('socket');
    const answered = bridge.call(toolCall);
    const call = sent[0]!;
    expect(call).toMatchObject({ type: 'call', op: 'tool', name: 'query' });
    // The SSE tab cannot answer the socket's call; garbage on the socket is dropped.
    expect(() =>
      bridge.answer(sse.channel, { id: call.id as string, result: { text: 'x', isError: false } }),
    ).toThrow(/No call/);
    socket.receive('{"id": 1}');
    socket.receive(JSON.stringify({ id: call.id, result: { text: 'socket', isError: false } }));
    await expect(answered).resolves.toEqual({ text: 'socket', isError: false });
    const failed = bridge.call(toolCall);
    socket.closed();
    await expect(failed).rejects.toThrow(/closed or reloaded/);
    expect(bridge.transport).toBe('sse');
    bridge.close();
    expect(closed).toBe(false);
  });

  it('close() ends every channel and fails waiting calls', async () => {
    const bridge = bridgeFor();
    const tab = await connect(bridge);
    const result = bridge.call(toolCall);
    await tab.next();
    bridge.close();
    await expect(result).rejects.toThrow(/closed/);
    await expect(tab.next()).rejects.toThrow('stream ended');
  });
});

describe('parseAnswer', () => {
  it('takes results, instructions and errors, and refuses anything else', () => {
    expect(parseAnswer({ channel: 'c', id: 'i', result: { text: 't', isError: false } }).answer).toEqual({
      id: 'i',
      result: { text: 't', isError: false },
    });
    expect(parseAnswer({ channel: 'c', id: 'i', result: 'hi' }).answer).toEqual({ id: 'i', result: 'hi' });
    expect(parseAnswer({ channel: 'c', id: 'i', error: 'bad' }).answer).toEqual({ id: 'i', error: 'bad' });
    for (const bad of [null, [], { id: 'i' }, { channel: 'c', id: 'i', result: { text: 1 } }])
      expect(() => parseAnswer(bad)).toThrow(/An answer is/);
  });
});
