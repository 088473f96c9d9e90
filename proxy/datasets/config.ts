// DINOBASE_PUBLISH_URL, _KEEP and _FILE_MB: where datasets are published and served from, and how, checked up front.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config.ts';
import { DirectoryTarget } from './dir-target.ts';
import type { DatasetTarget } from './target.ts';

export type TargetSpec =
  | { kind: 'dir'; root: string }
  | {
      kind: 's3';
      bucket: string;
      /** Without leading or trailing slashes; '' for the bucket's root. */
      prefix: string;
      /** AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL / DINOBASE_S3_ENDPOINT (MinIO, R2, s3rver); path-style then. */
      endpoint?: string;
      region: string;
    };

export interface PublishConfig {
  target: TargetSpec;
  /** How many versions to keep per source (DINOBASE_PUBLISH_KEEP, default 3). */
  keep: number;
  /** The size a table's Parquet files are cut at (DINOBASE_PUBLISH_FILE_MB MiB, default 512). */
  fileBytes: number;
}

/** DINOBASE_PUBLISH_FILE_MB's default: big enough that a few files hold most tables, small enough to retry one. */
export const DEFAULT_FILE_MB = 512;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The target a DINOBASE_PUBLISH_URL names: `s3://bucket/prefix`, `file:///abs/dir` or a directory path. */
export function parseTarget(url: string, env: Record<string, string | undefined> = {}): TargetSpec {
  const shown = url.slice(0, 200);
  if (url.startsWith('s3://')) {
    const [bucket = '', ...rest] = url.slice('s3://'.length).split('/');
    if (!BUCKET.test(bucket)) {
      throw new ConfigError(
        `DINOBASE_PUBLISH_URL must name a bucket, as s3://bucket/prefix; "${bucket.slice(0, 80)}" in "${shown}" is not a bucket name.`,
      );
    }
    const prefix = rest.filter(Boolean).join('/');
    if (prefix.split('/').some((part) => part === '.' || part === '..')) {
      throw new ConfigError(`DINOBASE_PUBLISH_URL's prefix may not hold "." or "..": "${shown}".`);
    }
    const endpoint = env.DINOBASE_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
    if (endpoint !== undefined && URL.canParse(endpoint) && new URL(endpoint).password) {
      // The endpoint is printed at start; keys belong in AWS_* variables, which only the SDK reads.
      throw new ConfigError(
        'The S3 endpoint must not hold credentials (user:password@); put them in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.',
      );
    }
    if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) {
      throw new ConfigError(
        `The S3 endpoint must be an http(s) URL (DINOBASE_S3_ENDPOINT or AWS_ENDPOINT_URL), got "${endpoint.slice(0, 100)}".`,
      );
    }
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
    return { kind: 's3', bucket, prefix, endpoint, region };
  }
  if (url.startsWith('file:')) {
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch {
      throw new ConfigError(`DINOBASE_PUBLISH_URL must be file:///absolute/dir, got "${shown}".`);
    }
    return { kind: 'dir', root: path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ConfigError(
      `DINOBASE_PUBLISH_URL must be s3://bucket/prefix, file:///dir or a directory path; "${shown}" is neither.`,
    );
  }
  return { kind: 'dir', root: isAbsolute(url) ? url : resolve(url) };
}

/** The publish settings, or undefined when DINOBASE_PUBLISH_URL is unset (nothing is published or served). */
export function publishConfigFromEnv(env: Record<string, string | undefined>): PublishConfig | undefined {
  const url = env.DINOBASE_PUBLISH_URL?.trim();
  const keepText = env.DINOBASE_PUBLISH_KEEP?.trim();
  const keep = keepText ? Number(keepText) : 3;
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000) {
    throw new ConfigError(
      `DINOBASE_PUBLISH_KEEP must be a whole number of versions from 1 to 1000, got "${keepText?.slice(0, 40)}".`,
    );
  }
  const fileText = env.DINOBASE_PUBLISH_FILE_MB?.trim();
  const fileMb = fileText ? Number(fileText) : DEFAULT_FILE_MB;
  if (!Number.isInteger(fileMb) || fileMb < 1 || fileMb > 4096) {
    throw new ConfigError(
      `DINOBASE_PUBLISH_FILE_MB must be a whole number of megabytes (MiB) from 1 to 4096, got "${fileText?.slice(0, 40)}".`,
    );
  }
  if (!url) return undefined;
  return { target: parseTarget(url, env), keep, fileBytes: fileMb * 2 ** 20 };
}

/** The target itself; the S3 client is loaded only when a bucket is configured. */
export async function openTarget(spec: TargetSpec): Promise<DatasetTarget> {
  if (spec.kind === 'dir') return new DirectoryTarget(spec.root);
  const { S3Target } = await import('./s3-target.ts');
  return new S3Target(spec);
}
