import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256 } from './sha256.ts';

const reference = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('Sha256', () => {
  it('gives the FIPS 180-4 example digests', () => {
    const text = (s: string) => new Sha256().update(new TextEncoder().encode(s)).hex();
    expect(text('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(text('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto for every length around the block and padding edges', () => {
    const data = randomBytes(300);
    for (let n = 0; n <= 300; n++) {
      const bytes = data.subarray(0, n);
      expect(new Sha256().update(bytes).hex(), `length ${n}`).toBe(reference(bytes));
    }
  });

  it('gives the same digest however the bytes are split into updates', () => {
    const data = randomBytes(1_000_003);
    let seed = 7;
    const hash = new Sha256();
    for (let at = 0; at < data.length;) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const size = seed % 3 === 0 ? seed % 70 : seed % 70_000;
      hash.update(data.subarray(at, at + size));
      at += size;
    }
    expect(hash.hex()).toBe(reference(data));
  });

  it('refuses more bytes after the digest', () => {
    const hash = new Sha256();
    hash.hex();
    expect(() => hash.update(new Uint8Array(1))).toThrow(/after digest/);
  });
});
