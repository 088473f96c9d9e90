import { describe, expect, it } from 'vitest';
import { clientAddressOf } from './access.ts';

describe('clientAddressOf', () => {
  it('is the TCP peer unless reverse proxies are trusted', () => {
    expect(clientAddressOf('127.0.0.1', '203.0.113.7')).toBe('127.0.0.1');
    expect(clientAddressOf(undefined, undefined)).toBe('unknown');
  });

  it('behind N trusted proxies, takes the entry the outermost one appended, never a client-written one', () => {
    // The client forged "10.0.0.1"; the one proxy appended the address it saw.
    expect(clientAddressOf('127.0.0.1', '10.0.0.1, 203.0.113.7', 1)).toBe('203.0.113.7');
    // CDN → nginx → app: nginx appended the CDN; the CDN appended the client.
    expect(clientAddressOf('127.0.0.1', '10.0.0.1, 203.0.113.7, 198.51.100.2', 2)).toBe('203.0.113.7');
  });

  it('falls back to the peer when the header is missing or shorter than the trusted chain', () => {
    expect(clientAddressOf('127.0.0.1', undefined, 1)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', ' , ', 1)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', '203.0.113.7', 2)).toBe('127.0.0.1');
  });
});
