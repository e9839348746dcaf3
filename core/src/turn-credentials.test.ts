import { describe, expect, it } from 'vitest';
import { iceServersFor, mintTurnCredential } from './turn-credentials.ts';

describe('TURN REST API credentials', () => {
  it('matches a vector computed independently', () => {
    // printf '%s' '1700000000:alice' | openssl dgst -sha1 -hmac 'north-wind-secret-0123456789abcdef' -binary | base64
    expect(mintTurnCredential('north-wind-secret-0123456789abcdef', 'alice', 1_700_000_000)).toEqual({
      username: '1700000000:alice',
      credential: '0AMvs8rD5ze0S2Yp1zXl9dFUTcQ=',
    });
  });

  it('names the holder with safe characters only, anonymous when unknown', () => {
    expect(mintTurnCredential('s'.repeat(32), 'a:b/c d', 1).username).toBe('1:abcd');
    expect(mintTurnCredential('s'.repeat(32), '::', 1).username).toBe('1:anon');
  });

  it('expires TTL seconds from now, and hands nothing without settings', () => {
    const turn = { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: 's'.repeat(32), ttlSeconds: 600 };
    const [server] = iceServersFor(turn, null, 1_000_000_000_500);
    expect(server!.urls).toEqual(turn.urls);
    expect(server!.username).toBe(`${1_000_000_000 + 600}:anon`);
    expect(iceServersFor(null, 'u1')).toEqual([]);
    expect(iceServersFor({ ...turn, urls: [] }, 'u1')).toEqual([]);
  });
});
