// Any S3-compatible store (AWS S3, R2, MinIO, GCS interop) as the publish target, through @aws-sdk/client-s3.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ConfigError } from '../config.ts';
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

const missing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404);

export class S3Target implements DatasetTarget {
  readonly location: string;
  readonly client: S3Client;
  #bucket: string;
  #prefix: string;

  /** Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID…, profiles, roles): never from here, never logged. */
  constructor(spec: S3Spec, client?: S3Client) {
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
    const { size } = await stat(localPath);
    // One PutObject per file (S3 takes up to 5 GB in one); a table's file is far smaller at these row group sizes.
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#key(key),
        Body: createReadStream(localPath),
        ContentLength: size,
        ContentType: 'application/vnd.apache.parquet',
      }),
    );
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
