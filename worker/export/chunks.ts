// Gathers an export's small writes into chunks of about CHUNK_BYTES, each in a buffer of its own (transferable).

/** Big enough that a 1 GB export is ~1000 messages across the worker boundary, small enough to show progress. */
export const CHUNK_BYTES = 1 << 20;

export type ChunkSink = (chunk: Uint8Array) => Promise<void> | void;

export class Chunker {
  #sink: ChunkSink;
  #parts: Uint8Array[] = [];
  #size = 0;
  #total = 0;

  constructor(sink: ChunkSink) {
    this.#sink = sink;
  }

  /** Bytes handed to the sink so far, plus those waiting. */
  get total(): number {
    return this.#total;
  }

  /** Takes `bytes` (the caller no longer changes them); sends a chunk once CHUNK_BYTES are waiting. */
  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength === 0) return;
    this.#parts.push(bytes);
    this.#size += bytes.byteLength;
    this.#total += bytes.byteLength;
    if (this.#size >= CHUNK_BYTES) await this.flush();
  }

  /** Sends what is waiting (a last, smaller chunk). */
  async flush(): Promise<void> {
    if (this.#size === 0) return;
    const chunk = new Uint8Array(this.#size);
    let offset = 0;
    for (const part of this.#parts) {
      chunk.set(part, offset);
      offset += part.byteLength;
    }
    this.#parts = [];
    this.#size = 0;
    await this.#sink(chunk);
  }
}

/** The chunks as one buffer (tests, and a caller that wants the whole file). */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
