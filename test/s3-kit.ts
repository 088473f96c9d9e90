// A real S3 API server (s3rver) on a loopback port with a temporary directory, and an S3Target pointed at it.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { parseTarget } from '../proxy/datasets/config.ts';
import { S3Target, type S3TargetOptions } from '../proxy/datasets/s3-target.ts';

export interface S3Kit {
  endpoint: string;
  bucket: string;
  /** A target under `prefix` of the bucket, addressed as DINOBASE_PUBLISH_URL would. */
  target(prefix: string, options?: S3TargetOptions): S3Target;
  close(): Promise<void>;
}

/** s3rver accepts any key pair; these only exist so the SDK signs its requests. */
export const S3_ENV = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};

export async function startS3(bucket = 'team-data'): Promise<S3Kit> {
  const directory = mkdtempSync(join(tmpdir(), 'dinobase-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  for (const [name, value] of Object.entries(S3_ENV)) process.env[name] ??= value;
  return {
    endpoint,
    bucket,
    target: (prefix, options) => {
      const spec = parseTarget(`s3://${bucket}/${prefix}`, { ...S3_ENV, DINOBASE_S3_ENDPOINT: endpoint });
      if (spec.kind !== 's3') throw new Error('not an s3 target');
      return new S3Target(spec, options);
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
