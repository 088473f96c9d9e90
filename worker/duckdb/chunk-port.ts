// Several result chunks per round trip to DuckDB-WASM's worker: a port installed beside its own message handler.
import { yieldToEventLoop } from '../../common/event-loop.ts';

/**
 * What one request on the port returns: the chunks fetched in order, and whether the result's end was seen; the
 * result's header (its schema message) when the request started the query.
 */
export interface ChunkBatch {
  chunks: Uint8Array[];
  ended: boolean;
  header?: Uint8Array;
}

/** A pending query for a request to start before it fetches: its text, and whether DuckDB may stream it. */
export interface PendingStart {
  sql: string;
  stream: boolean;
}

/**
 * Fetches up to `max` chunks of the pending query on `conn` in one round trip; stops early at its end. With
 * `start`, the same round trip first starts that query and polls it until its result begins (a cancel reaches it
 * between two polls). An abort of `signal` stops it between two chunks or polls (a streamed result is past what
 * `cancelPendingQuery` reaches).
 */
export type FetchChunks = (
  conn: number,
  max: number,
  signal?: AbortSignal,
  start?: PendingStart,
) => Promise<ChunkBatch>;

/** What a fetch stopped by its signal rejects with (the caller reports its own abort). */
export const FETCH_STOPPED = 'The chunk fetch was stopped.';

/** The messages the engine sends DuckDB's worker: the port the answers come back on, a fetch, a stop. */
const MESSAGES = {
  port: 'DINOBASE_CHUNK_PORT',
  fetch: 'DINOBASE_CHUNK_FETCH',
  stop: 'DINOBASE_CHUNK_STOP',
};

interface Envelope {
  messageId: number;
  requestId?: number;
  type: string;
  data: unknown;
}

interface FetchRequest {
  type: string;
  id: number;
  conn: number;
  max: number;
  start?: PendingStart;
}

/**
 * Runs inside DuckDB's worker before duckdb-wasm's script (serialised into it, so it uses nothing from outside its
 * body but `pause`, common/event-loop.ts's yield serialised beside it). duckdb-wasm answers each
 * `FETCH_QUERY_RESULTS` message with one 2,048-row chunk, so a 10k-row read cost six round trips to its worker.
 * This takes fetch requests beside duckdb-wasm's own messages (the worker's one channel, so they keep the order
 * they were sent in), feeds duckdb-wasm's own dispatcher the same `FETCH_QUERY_RESULTS` messages (negative ids,
 * which AsyncDuckDB never uses), catches their answers on the way out, and sends all the chunks back in one
 * message on a port of its own. Between fetches it lets the worker's messages in once it has held the thread 20 ms,
 * so that a stop or a `CANCEL_PENDING_QUERY` lands between two chunks; any other message that comes then waits
 * until the request is answered, so calls still run one at a time in the order they were made (call-queue.ts).
 */
export function installChunkPort(
  messages: typeof MESSAGES,
  stopped: string,
  pause: () => Promise<void>,
): void {
  const scope = self as unknown as {
    onmessage: ((event: { data: unknown }) => unknown) | null;
    postMessage(data: unknown, transfer?: Transferable[]): void;
  };
  let dispatch: ((event: { data: unknown }) => unknown) | null = null;
  let port: MessagePort | null = null;
  const answers = new Map<number, (envelope: Envelope) => void>();
  let nextId = -1;
  /** The request being served; the ids of requests in line or served whose caller gave up. */
  let serving: number | null = null;
  const stops = new Set<number>();
  /** Messages that came while a request was served: they run once it is answered, in the order they came. */
  const waiting: { data: unknown }[] = [];

  const post = scope.postMessage.bind(scope);
  scope.postMessage = (data: unknown, transfer?: Transferable[]) => {
    const answer = answers.get((data as Envelope | null)?.requestId ?? 0);
    if (!answer) return post(data, transfer);
    answers.delete((data as Envelope).requestId!);
    answer(data as Envelope);
  };

  const call = (type: string, data: unknown): Promise<Envelope> =>
    new Promise((resolve) => {
      const messageId = nextId--;
      answers.set(messageId, resolve);
      void dispatch?.({ data: { messageId, type, data } });
    });

  async function serve(request: FetchRequest): Promise<void> {
    serving = request.id;
    try {
      const [answer, transfer] = await fetched(request);
      port?.postMessage(answer, transfer);
    } finally {
      serving = null;
      stops.delete(request.id);
      while (serving === null && waiting.length > 0) handle(waiting.shift()!);
    }
  }

  /** The answer to one request, with what it transfers. */
  async function fetched(request: FetchRequest): Promise<[unknown, Transferable[]]> {
    const chunks: Uint8Array[] = [];
    let ended = false;
    let header: Uint8Array | null = null;
    let held = performance.now();
    /** Lets the worker's messages in once the thread was held 20 ms; whether the request was stopped meanwhile. */
    const stop = async () => {
      if (performance.now() - held > 20) {
        await pause();
        held = performance.now();
      }
      return stops.has(request.id);
    };
    const halt: [unknown, Transferable[]] = [
      { id: request.id, error: { name: 'Error', message: stopped } },
      [],
    ];
    if (request.start) {
      if (stops.has(request.id)) return halt;
      const { sql, stream } = request.start;
      let answer = await call('START_PENDING_QUERY', [request.conn, sql, stream]);
      for (;;) {
        if (answer.type === 'ERROR') return [{ id: request.id, error: answer.data }, []];
        header = answer.data as Uint8Array | null;
        if (header) break;
        if (await stop()) return halt;
        answer = await call('POLL_PENDING_QUERY', request.conn);
      }
    }
    for (let i = 0; i < request.max; i++) {
      if (await stop()) return halt;
      const answer = await call('FETCH_QUERY_RESULTS', request.conn);
      if (answer.type === 'ERROR') return [{ id: request.id, error: answer.data }, []];
      const chunk = answer.data as Uint8Array | null;
      if (chunk && chunk.byteLength === 0) {
        ended = true;
        break;
      }
      if (chunk) chunks.push(chunk);
    }
    const buffers = new Set<ArrayBuffer>();
    for (const chunk of header ? [header, ...chunks] : chunks) buffers.add(chunk.buffer as ArrayBuffer);
    return [{ id: request.id, chunks, ended, header }, [...buffers]];
  }

  function handle(event: { data: unknown }): unknown {
    const data = event.data as FetchRequest | null;
    if (data?.type === messages.fetch) return void serve(data);
    return dispatch?.(event);
  }

  const wrapped = (event: { data: unknown }) => {
    const data = event.data as { type?: unknown; port?: MessagePort; id?: number } | null;
    if (data?.type === messages.port && data.port) {
      port = data.port;
      return undefined;
    }
    if (data?.type === messages.stop) {
      // A stop that comes after its answer left has nothing to stop.
      const id = data.id;
      const inLine = (e: { data: unknown }) => {
        const request = e.data as FetchRequest | null;
        return request?.type === messages.fetch && request.id === id;
      };
      if (id !== undefined && (id === serving || waiting.some(inLine))) stops.add(id);
      return undefined;
    }
    if (serving !== null && data?.type !== 'CANCEL_PENDING_QUERY') {
      waiting.push(event);
      return undefined;
    }
    return handle(event);
  };

  // duckdb-wasm sets `onmessage` once as it loads: keep its handler as the dispatcher and install ours in its place.
  let owner: object | null = scope;
  let native: PropertyDescriptor | undefined;
  while (owner && !native) {
    native = Object.getOwnPropertyDescriptor(owner, 'onmessage');
    owner = Object.getPrototypeOf(owner) as object | null;
  }
  Object.defineProperty(scope, 'onmessage', {
    configurable: true,
    get: () => wrapped,
    set: (handler: (event: { data: unknown }) => unknown) => {
      dispatch = handler;
      native?.set?.call(scope, wrapped);
    },
  });
}

/**
 * `installChunkPort` as script text, to run before duckdb-wasm's worker script. Bundlers that keep function names
 * wrap inner functions in a `__name` helper of the enclosing module, which the serialised body still calls.
 */
export function chunkPortScript(): string {
  return `const __name = (target) => target;\n(${installChunkPort.toString()})(${JSON.stringify(MESSAGES)}, ${JSON.stringify(FETCH_STOPPED)}, ${yieldToEventLoop.toString()});`;
}

/**
 * The engine's end: hands DuckDB's `worker` (which must run `chunkPortScript`) the port the answers come back on, and
 * sends the requests beside AsyncDuckDB's own messages, so that DuckDB takes them in the order they were made.
 */
export function chunkPort(worker: {
  postMessage(message: unknown, transfer: Transferable[]): void;
}): FetchChunks {
  const channel = new MessageChannel();
  worker.postMessage({ type: MESSAGES.port, port: channel.port2 }, [channel.port2]);
  const waiting = new Map<
    number,
    { resolve(batch: ChunkBatch): void; reject(error: Error): void; done(): void }
  >();
  let nextId = 0;
  channel.port1.onmessage = (event: MessageEvent) => {
    const { id, chunks, ended, header, error } = event.data as ChunkBatch & {
      id: number;
      error?: { name?: string; message?: string };
    };
    const request = waiting.get(id);
    if (!request) return;
    waiting.delete(id);
    request.done();
    if (!error) return request.resolve(header ? { chunks, ended, header } : { chunks, ended });
    // As AsyncDuckDB rejects a failed call: DuckDB's message, its error's name.
    const failure = new Error(error.message ?? 'DuckDB failed to fetch a result chunk');
    if (error.name) failure.name = error.name;
    request.reject(failure);
  };
  // Node's MessagePort keeps the process alive while it has a listener; DuckDB's worker itself decides that.
  (channel.port1 as { unref?(): void }).unref?.();
  return (conn, max, signal, start) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const stop = () => worker.postMessage({ type: MESSAGES.stop, id }, []);
      signal?.addEventListener('abort', stop, { once: true });
      waiting.set(id, { resolve, reject, done: () => signal?.removeEventListener('abort', stop) });
      worker.postMessage({ type: MESSAGES.fetch, id, conn, max, start }, []);
    });
}
