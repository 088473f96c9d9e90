// BLOB bytes: sizes from base64, decoding, and the hex dump the cell detail shows.
import { describe, expect, it } from 'vitest';
import { base64Size, base64ToBytes, hexDump } from './bytes.ts';

const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

describe('BLOB bytes', () => {
  it('knows the size behind base64 of every padding length', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 1000]) {
      const bytes = Array.from({ length: n }, (_, i) => i % 256);
      expect(base64Size(b64(bytes))).toBe(n);
      expect(Array.from(base64ToBytes(b64(bytes)))).toEqual(bytes);
    }
  });

  it('dumps offset, hex in two groups of eight, and printable ASCII', () => {
    const bytes = new TextEncoder().encode('Hello, DuckDB!\n\u0000xyz');
    const lines = hexDump(bytes);
    expect(lines).toEqual([
      '00000000  48 65 6c 6c 6f 2c 20 44  75 63 6b 44 42 21 0a 00  |Hello, DuckDB!..|',
      '00000010  78 79 7a                                          |xyz|',
    ]);
    expect(hexDump(new Uint8Array([0xde, 0xad, 0xbe, 0xef]))).toEqual([
      '00000000  de ad be ef                                       |....|',
    ]);
  });

  it('stops at the preview limit', () => {
    const lines = hexDump(new Uint8Array(10_000), 4096);
    expect(lines).toHaveLength(256);
    expect(lines.at(-1)!.startsWith('00000ff0')).toBe(true);
    expect(hexDump(new Uint8Array(0))).toEqual([]);
  });
});
