// A local directory as the publish target: files renamed into place, so a reader never sees a half-written one.
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../config.ts';
import {
  MANIFEST,
  isLayoutKey,
  type ByteRange,
  type DatasetTarget,
  type ObjectBody,
  type ObjectInfo,
} from './target.ts';

export class DirectoryTarget implements DatasetTarget {
  readonly location: string;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = this.root;
  }

  /** The file of a key the layout allows; anything else (`..`, absolute, odd names) is refused. */
  #path(key: string, allowRoot = false): string {
    if (allowRoot && key === '') return this.root;
    if (!isLayoutKey(key)) throw new ConfigError(`Not a dataset key: "${key.slice(0, 200)}".`);
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep))
      throw new ConfigError(`Not a dataset key: "${key.slice(0, 200)}".`);
    return path;
  }

  /** Writes beside the destination, then renames: the one step readers can observe. */
  async #place(path: string, write: (temporary: string) => Promise<void>): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const temporary = join(dirname(path), `.${randomUUID()}.tmp`);
    try {
      await write(temporary);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Moves the file in when it is on the same file system (a rename costs nothing), else copies it. */
  putFile(key: string, localPath: string): Promise<void> {
    return this.#place(this.#path(key), async (temporary) => {
      try {
        await rename(localPath, temporary);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        await copyFile(localPath, temporary);
      }
    });
  }

  putManifest(source: string, bytes: Uint8Array): Promise<void> {
    return this.#place(this.#path(`${source}/${MANIFEST}`), (temporary) => writeFile(temporary, bytes));
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const info = await stat(this.#path(key)).catch(() => null);
    if (!info?.isFile()) return null;
    // Files are immutable once renamed into place (the manifest is replaced, never rewritten): size and
    // modification time identify a content.
    return { size: info.size, etag: `"${info.size.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}"` };
  }

  async get(key: string, range?: ByteRange): Promise<ObjectBody | null> {
    const info = await this.head(key);
    if (!info) return null;
    const file = createReadStream(this.#path(key), range ? { start: range.start, end: range.end } : {});
    return { ...info, body: Readable.toWeb(file) as ReadableStream<Uint8Array> };
  }

  async children(prefix: string): Promise<string[]> {
    const entries = await readdir(this.#path(prefix, true)).catch(() => [] as string[]);
    return entries.filter((name) => !name.startsWith('.')).sort();
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.#path(prefix), { recursive: true, force: true });
  }
}
