// Any S3-compatible store (AWS S3, R2, MinIO, GCS interop) as the publish target, through @aws-sdk/client-s3.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { forEachLimit } from '../../common/pool.ts';
import { errorMessage } from '../../common/error-message.ts';
import { ConfigError } from '../config.ts';
import { ProxyError } from '../errors.ts';
import type { TargetSpec } from './config.ts';
import {
  MANIFEST,
  isLayoutKey,
  type ByteRange,
  type DatasetTarget,
  type ObjectBody,
  type ObjectInfo,
} from './target.ts';

type S3Spec = Extract<TargetSpec, { kind: 's3' }>;

const MiB = 2 ** 20;
const PARQUET = 'application/vnd.apache.parquet';
/** S3's smallest part (all but the last) and most parts per upload. */
export const MIN_PART_BYTES = 5 * MiB;
export const MAX_PARTS = 10_000;

export interface S3TargetOptions {
  /** A client of the caller's; else one built from the spec. */
  client?: S3Client;
  /** Files larger than this go up as a multipart upload, smaller ones in one PutObject. @default 64 MiB */
  multipartBytes?: number;
  /** The size of each part but the last, at least 5 MiB; grown where a file would need over 10,000. @default 16 MiB */
  partBytes?: number;
  /** Parts of one file uploaded at once. @default 4 */
  partsInFlight?: number;
}

/** The part size for a file of `size` bytes: `partBytes`, or more (whole MiB) so it takes at most 10,000 parts. */
export function partSizeFor(size: number, partBytes: number): number {
  return Math.max(partBytes, Math.ceil(size / MAX_PARTS / MiB) * MiB);
}

const missing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404);

export class S3Target implements DatasetTarget {
  readonly location: string;
  readonly client: S3Client;
  #bucket: string;
  #prefix: string;
  #multipartBytes: number;
  #partBytes: number;
  #partsInFlight: number;

  /** Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID…, profiles, roles): never from here, never logged. */
  constructor(spec: S3Spec, options: S3TargetOptions = {}) {
    const { client, multipartBytes = 64 * MiB, partBytes = 16 * MiB, partsInFlight = 4 } = options;
    const whole = (value: number, least: number) => Number.isInteger(value) && value >= least;
    if (!whole(multipartBytes, 0))
      throw new ConfigError(`multipartBytes must be a whole number of bytes, got ${multipartBytes}.`);
    if (!whole(partBytes, MIN_PART_BYTES))
      throw new ConfigError(
        `partBytes must be at least S3's minimum part of 5 MiB (${MIN_PART_BYTES}), got ${partBytes}.`,
      );
    if (!whole(partsInFlight, 1))
      throw new ConfigError(`partsInFlight must be a positive whole number, got ${partsInFlight}.`);
    this.#multipartBytes = multipartBytes;
    this.#partBytes = partBytes;
    this.#partsInFlight = partsInFlight;
    this.#bucket = spec.bucket;
    this.#prefix = spec.prefix ? `${spec.prefix}/` : '';
    this.location = `s3://${spec.bucket}/${spec.prefix}${spec.endpoint ? ` at ${spec.endpoint}` : ''}`;
    this.client =
      client ??
      new S3Client({
        region: spec.region,
        endpoint: spec.endpoint,
        // Custom endpoints (MinIO, s3rver, R2 by account) are addressed by path, not by bucket subdomain.
        forcePathStyle: spec.endpoint !== undefined,
        // Checksums only where the API requires them: the SDK's default (CRC32 trailers in aws-chunked
        // uploads) is not understood by every S3-compatible store (s3rver stored the framing as the data).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
  }

  #key(key: string, allowRoot = false): string {
    if (allowRoot && key === '') return this.#prefix;
    if (!isLayoutKey(key)) throw new ConfigError(`Not a dataset key: "${key.slice(0, 200)}".`);
    return this.#prefix + key;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const Key = this.#key(key);
    const { size } = await stat(localPath);
    if (size > this.#multipartBytes) return this.#putParts(Key, localPath, size);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key,
        Body: createReadStream(localPath),
        ContentLength: size,
        ContentType: PARQUET,
      }),
    );
  }

  /**
   * A multipart upload: parts are ranges of the local file, a few at a time. On any failure the upload is
   * aborted, since S3 keeps (and bills) uploaded parts until then; the failure itself is what is thrown.
   */
  async #putParts(Key: string, localPath: string, size: number): Promise<void> {
    const Bucket = this.#bucket;
    const partSize = partSizeFor(size, this.#partBytes);
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket, Key, ContentType: PARQUET }),
    );
    const UploadId = created.UploadId;
    if (!UploadId) throw new ProxyError(502, 'upload_failed', `S3 started no multipart upload for ${Key}.`);
    const numbers = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => i + 1);
    const parts: CompletedPart[] = [];
    try {
      await forEachLimit(numbers, this.#partsInFlight, async (PartNumber) => {
        const start = (PartNumber - 1) * partSize;
        const end = Math.min(size, start + partSize) - 1;
        const out = await this.client.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId,
            PartNumber,
            Body: createReadStream(localPath, { start, end }),
            ContentLength: end - start + 1,
          }),
        );
        if (!out.ETag)
          throw new ProxyError(502, 'upload_failed', `S3 returned no ETag for part ${PartNumber} of ${Key}.`);
        parts[PartNumber - 1] = { PartNumber, ETag: out.ETag };
      });
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }))
        .catch((abort: unknown) => {
          throw new ProxyError(
            502,
            'upload_failed',
            `${errorMessage(error)}; aborting the multipart upload of ${Key} failed too (${errorMessage(abort)}), ` +
              'so its parts stay stored until an AbortIncompleteMultipartUpload lifecycle rule removes them.',
          );
        });
      throw error;
    }
  }

  async putManifest(source: string, bytes: Uint8Array): Promise<void> {
    // A PutObject replaces the object atomically: readers see the old manifest or the new one.
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#key(`${source}/${MANIFEST}`),
        Body: bytes,
        ContentType: 'application/json',
        CacheControl: 'no-cache',
      }),
    );
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }),
      );
      return { size: out.ContentLength ?? 0, etag: out.ETag ?? null };
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<ObjectBody | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      const total = out.ContentRange ? Number(out.ContentRange.split('/')[1]) : (out.ContentLength ?? 0);
      if (!out.Body) throw new Error(`S3 returned no body for ${key}`);
      return { size: total, etag: out.ETag ?? null, body: out.Body.transformToWebStream() };
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
  }

  /**
   * Lists every key under the prefix and keeps each one's first segment, rather than asking for common
   * prefixes with a delimiter: s3rver 3.7 leaves out prefixes whose objects lie two levels down, and the
   * layout holds only sources × tables × kept versions × files keys.
   */
  async children(prefix: string): Promise<string[]> {
    const base = prefix === '' ? this.#prefix : `${this.#key(prefix)}/`;
    const names = new Set<string>();
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: base, ContinuationToken: token }),
      );
      for (const o of out.Contents ?? []) if (o.Key) names.add(o.Key.slice(base.length).split('/')[0]!);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return [...names].filter(Boolean).sort();
  }

  async deletePrefix(prefix: string): Promise<void> {
    const base = `${this.#key(prefix)}/`;
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: base, ContinuationToken: token }),
      );
      const keys = (out.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length > 0) {
        const done = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        if (done.Errors?.length) {
          throw new Error(
            `Could not delete ${done.Errors.length} objects under ${base}: ${done.Errors[0]?.Message ?? ''}`,
          );
        }
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }
}
