// Streams one published file into a spool, hashing it on the way, and resumes a broken transfer with a Range request.
import { SyncError, errorMessage } from '../errors.ts';
import type { Spool } from '../parquet/types.ts';
import { Sha256 } from './sha256.ts';

export interface PublishedFile {
  /** The path asked for, for messages. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface DownloadOptions {
  /** Sends the GET (with a Range header when resuming); answers only a 2xx, throws the request's own error otherwise. */
  get: (headers: Record<string, string>) => Promise<Response>;
  spool: Spool;
  signal?: AbortSignal;
  /** Transfers tried in all, the first included: each resume must have brought bytes. @default 4 */
  attempts?: number;
}

/**
 * Fetches `file` into `spool` and returns it as a Blob once every byte has arrived and matched the manifest's
 * size and sha256. The file's path is versioned and never rewritten, so a transfer that breaks is taken up at
 * the byte it reached (`Range: bytes=N-`), as long as each try brings more bytes than the last.
 */
export async function downloadVerified(file: PublishedFile, options: DownloadOptions): Promise<Blob> {
  const { get, spool, signal } = options;
  const attempts = options.attempts ?? 4;
  const hash = new Sha256();
  let received = 0;
  for (let attempt = 1; ; attempt++) {
    const resuming = received > 0;
    const response = await get(resuming ? { Range: `bytes=${received}-` } : {});
    if (resuming) checkResumed(file, response, received);
    const before = received;
    let broke: { cause: unknown } | null = null;
    try {
      const reader = (response.body ?? new Response(new Uint8Array()).body!).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (received + value.byteLength > file.bytes) {
          await reader.cancel().catch(() => undefined);
          throw new SyncError(
            'bad_response',
            `${file.path} is longer than the published ${file.bytes} bytes: it is not the published file.`,
          );
        }
        hash.update(value);
        await spool.write(value);
        received += value.byteLength;
      }
    } catch (error) {
      if (error instanceof SyncError || signal?.aborted) throw error;
      broke = { cause: error };
    }
    if (received === file.bytes) break;
    if (broke === null) {
      // The server ended its answer cleanly, short of the published size: a resume would not find more.
      throw new SyncError(
        'bad_response',
        `${file.path} is not the published file: it has ${received} bytes, the manifest says ${file.bytes}.`,
      );
    }
    const progressed = received > before;
    if (!progressed || attempt >= attempts) {
      throw new SyncError(
        'network_error',
        `The download of ${file.path} stopped at byte ${received} of ${file.bytes} ` +
          `(${errorMessage(broke.cause)}) after ${attempt} ${attempt === 1 ? 'try' : 'tries'}.`,
      );
    }
  }
  const digest = hash.hex();
  if (digest !== file.sha256) {
    throw new SyncError(
      'bad_response',
      `${file.path} is not the published file: ${received} bytes with sha256 ${digest}, the manifest says ${file.bytes} bytes with ${file.sha256}.`,
    );
  }
  return spool.blob();
}

/** A resumed transfer must start where the last one stopped; a server that ignores the Range would repeat bytes. */
function checkResumed(file: PublishedFile, response: Response, from: number): void {
  const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
  if (response.status !== 206 || !range || Number(range[1]) !== from) {
    void response.body?.cancel().catch(() => undefined);
    throw new SyncError(
      'bad_response',
      `Resuming ${file.path} at byte ${from} got ${response.status} ${response.headers.get('content-range') ?? 'without a Content-Range'}: the server did not resume the transfer.`,
    );
  }
}
