// One trip through the event loop, for long loops that must let other tasks (a cancel, a message) run in between.

/** Resolves on the next macrotask: setImmediate in Node, a MessageChannel hop in browsers (no 4 ms timer clamp). */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => void }).setImmediate;
  if (immediate) return new Promise((resolve) => immediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
