// Hashes the files DuckDB writes into a directory while it writes them, so a table's sha256s are ready when its COPY ends.
import { createHash, type Hash } from 'node:crypto';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** The wait when no file grew: short next to a COPY, long next to a read. */
const IDLE_MS = 20;
const CHUNK = 1 << 20;

interface Followed {
  handle: FileHandle;
  hash: Hash;
  size: number;
}

/** A finished file's size and sha256. */
export interface FileDigest {
  size: number;
  sha256: string;
}

/**
 * Follows every file that appears in `directory`, hashing bytes as they are appended. DuckDB's Parquet writer
 * only appends (the magic, row groups in turn, then the footer), so the bytes read while it writes are the
 * file's; `publisher.test.ts` checks the published sha256s against the finished files. Reading during the COPY
 * takes the hash off the publish's critical path, and the file is read once, from the page cache.
 */
export class GrowingFiles {
  readonly directory: string;
  #files = new Map<string, Followed>();
  #buffer = Buffer.allocUnsafe(CHUNK);
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void>;

  constructor(directory: string) {
    this.directory = directory;
    // A failed read here is met again by finish(), which reads everything left and throws.
    this.#loop = this.#follow().catch(() => undefined);
  }

  async #follow(): Promise<void> {
    while (!this.#stopped) {
      if (await this.#drain()) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, IDLE_MS);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Reads what each file gained since the last call (the directory may not exist yet); true if any grew. */
  async #drain(): Promise<boolean> {
    let grew = false;
    for (const name of await readdir(this.directory).catch(() => [] as string[])) {
      let file = this.#files.get(name);
      if (!file) {
        file = { handle: await open(join(this.directory, name)), hash: createHash('sha256'), size: 0 };
        this.#files.set(name, file);
      }
      for (;;) {
        const { bytesRead } = await file.handle.read(this.#buffer, 0, CHUNK, file.size);
        if (bytesRead === 0) break;
        file.hash.update(this.#buffer.subarray(0, bytesRead));
        file.size += bytesRead;
        grew = true;
      }
    }
    return grew;
  }

  /** Once the writer has finished: reads each file to its end and gives its size and sha256, by full path. */
  async finish(): Promise<Map<string, FileDigest>> {
    await this.#stop();
    try {
      await this.#drain();
      return new Map(
        [...this.#files].map(([name, f]) => [
          join(this.directory, name),
          { size: f.size, sha256: f.hash.digest('hex') },
        ]),
      );
    } finally {
      await this.close();
    }
  }

  /** Stops following and closes every file: after finish(), or instead of it when the COPY failed. */
  async close(): Promise<void> {
    await this.#stop();
    const files = [...this.#files.values()];
    this.#files.clear();
    await Promise.allSettled(files.map((f) => f.handle.close()));
  }

  async #stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }
}
