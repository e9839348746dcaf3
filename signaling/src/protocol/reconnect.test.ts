import { describe, expect, it } from 'vitest';
import { busyRetryDelayMs, handshakeRefusal, isBusy, reconnectionOptions } from './reconnect.ts';

describe('the clients’ reconnect policy', () => {
  it('backs off with jitter after a lost connection', () => {
    expect(reconnectionOptions.randomizationFactor).toBeGreaterThan(0);
    expect(reconnectionOptions.reconnectionDelayMax).toBeGreaterThan(reconnectionOptions.reconnectionDelay);
  });

  it('follows the server’s BUSY hint, spread ±50 %', () => {
    expect(busyRetryDelayMs(0, 4000, () => 0)).toBe(2000);
    expect(busyRetryDelayMs(0, 4000, () => 1)).toBe(6000);
    // The hint is already sized by the crowd: it is not grown again per attempt.
    expect(busyRetryDelayMs(5, 4000, () => 0.5)).toBe(4000);
    // A wrong hint never parks a client for long.
    expect(busyRetryDelayMs(0, 10 * 60_000, () => 0.5)).toBe(30_000);
  });

  it('backs off exponentially, capped, without a hint', () => {
    expect(busyRetryDelayMs(0, undefined, () => 0.5)).toBe(1000);
    expect(busyRetryDelayMs(2, undefined, () => 0.5)).toBe(4000);
    expect(busyRetryDelayMs(20, undefined, () => 0.5)).toBe(10_000);
    for (let i = 0; i < 100; i++) {
      const d = busyRetryDelayMs(0, undefined);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(1500);
    }
  });

  it('reads a refusal from a connect_error, and only ours', () => {
    const busy = Object.assign(new Error('BUSY'), { data: { code: 'BUSY', message: 'busy', retryAfterMs: 1200 } });
    expect(handshakeRefusal(busy)).toEqual({ code: 'BUSY', message: 'busy', retryAfterMs: 1200 });
    expect(isBusy(handshakeRefusal(busy))).toBe(true);
    expect(isBusy(handshakeRefusal(Object.assign(new Error('x'), { data: { code: 'TOO_MANY_CONNECTIONS', message: '' } })))).toBe(false);
    // The database or Redis away for a moment: retried the same way.
    expect(isBusy(handshakeRefusal(Object.assign(new Error('x'), { data: { code: 'UNAVAILABLE', message: '' } })))).toBe(true);
    expect(handshakeRefusal(new Error('websocket error'))).toBeNull();
    expect(handshakeRefusal(null)).toBeNull();
  });
});
