import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { parseTarget, publishConfigFromEnv } from './config.ts';
import { isLayoutKey, versionName } from './target.ts';

describe('DINOBASE_PUBLISH_URL', () => {
  it('reads s3://bucket/prefix with the endpoint override and region', () => {
    expect(
      parseTarget('s3://team-data/dinobase/prod/', {
        DINOBASE_S3_ENDPOINT: 'http://127.0.0.1:9000',
        AWS_REGION: 'eu-west-1',
      }),
    ).toEqual({
      kind: 's3',
      bucket: 'team-data',
      prefix: 'dinobase/prod',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
    });
    expect(
      parseTarget('s3://team-data', { AWS_ENDPOINT_URL: 'https://acc.r2.cloudflarestorage.com' }),
    ).toMatchObject({
      prefix: '',
      endpoint: 'https://acc.r2.cloudflarestorage.com',
      region: 'us-east-1',
    });
  });

  it('reads file:///dir and plain paths as a directory', () => {
    expect(parseTarget('file:///srv/datasets')).toEqual({ kind: 'dir', root: '/srv/datasets' });
    expect(parseTarget('/srv/datasets')).toEqual({ kind: 'dir', root: '/srv/datasets' });
    expect(parseTarget('datasets')).toMatchObject({
      kind: 'dir',
      root: expect.stringMatching(/\/datasets$/),
    });
  });

  it('refuses what it cannot read with a ConfigError naming the value', () => {
    expect(() => parseTarget('s3://A_Bucket/x')).toThrow(/"A_Bucket"/);
    expect(() => parseTarget('s3://bucket/../x')).toThrow(ConfigError);
    expect(() => parseTarget('gs://bucket/x')).toThrow(/"gs:\/\/bucket\/x"/);
    expect(() => parseTarget('s3://bucket', { DINOBASE_S3_ENDPOINT: 'minio:9000' })).toThrow(/"minio:9000"/);
    const withKey = () =>
      parseTarget('s3://bucket', { DINOBASE_S3_ENDPOINT: 'http://admin:s3cr3t-key@minio:9000' });
    expect(withKey).toThrow(/must not hold credentials/);
    expect(withKey).not.toThrow(/s3cr3t-key/);
    expect(() => publishConfigFromEnv({ DINOBASE_PUBLISH_URL: '/x', DINOBASE_PUBLISH_KEEP: '0' })).toThrow(
      /DINOBASE_PUBLISH_KEEP.*"0"/,
    );
    for (const bad of ['0', '1.5', 'big', '4097'])
      expect(
        () => publishConfigFromEnv({ DINOBASE_PUBLISH_URL: '/x', DINOBASE_PUBLISH_FILE_MB: bad }),
        bad,
      ).toThrow(new RegExp(`DINOBASE_PUBLISH_FILE_MB must be .* got "${bad.replace('.', '\\.')}"`));
    expect(publishConfigFromEnv({})).toBeUndefined();
    expect(publishConfigFromEnv({ DINOBASE_PUBLISH_URL: '/x' })).toEqual({
      target: { kind: 'dir', root: '/x' },
      keep: 3,
      fileBytes: 512 * 1024 * 1024,
    });
    expect(
      publishConfigFromEnv({ DINOBASE_PUBLISH_URL: '/x', DINOBASE_PUBLISH_FILE_MB: ' 64 ' })?.fileBytes,
    ).toBe(64 * 1024 * 1024);
  });
});

describe('the layout', () => {
  it('names versions by UTC time and sync id, sortably', () => {
    const version = versionName(new Date('2026-12-04T17:30:00.123Z'), '3F2A9C1B-dead-beef');
    expect(version).toBe('v20261204T173000Z-3f2a9c1b');
    expect(versionName(new Date('2026-12-04T17:30:01Z'), '00000000') > version).toBe(true);
  });

  it('accepts only layout keys', () => {
    expect(isLayoutKey('stripe/manifest.json')).toBe(true);
    expect(isLayoutKey('stripe/customers/v20261204T173000Z-3f2a9c1b/part-00000.parquet')).toBe(true);
    expect(isLayoutKey('stripe/customers')).toBe(true);
    for (const bad of [
      '',
      '..',
      'stripe/..',
      'stripe//manifest.json',
      '/etc/passwd',
      'stripe/customers/v1',
      'a/b/v20261204T173000Z-3f2a9c1b/x.txt',
    ])
      expect(isLayoutKey(bad), bad).toBe(false);
  });
});
