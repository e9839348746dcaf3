import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.ts';

describe('clientAddress', () => {
  it('is the peer without a configured header, whatever the client sends', () => {
    expect(clientAddress({ 'x-forwarded-for': '1.2.3.4' }, '10.0.0.9', { XFF_DEPTH: 1 })).toBe('10.0.0.9');
  });

  it('trusts only the entry XFF_DEPTH from the right (entries to its left are forgeable)', () => {
    const headers = { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.2' };
    expect(clientAddress(headers, '10.0.0.1', { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: 1 })).toBe('10.0.0.2');
    expect(clientAddress(headers, '10.0.0.1', { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: 2 })).toBe('198.51.100.7');
    expect(clientAddress(headers, '10.0.0.1', { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: 5 })).toBe('10.0.0.1');
  });

  it('reads a single-value header as is, and falls back to the peer when it is missing', () => {
    expect(clientAddress({ 'x-real-ip': '203.0.113.5' }, '10.0.0.1', { ADDRESS_HEADER: 'x-real-ip', XFF_DEPTH: 1 })).toBe('203.0.113.5');
    expect(clientAddress({}, '10.0.0.1', { ADDRESS_HEADER: 'x-real-ip', XFF_DEPTH: 1 })).toBe('10.0.0.1');
  });
});
