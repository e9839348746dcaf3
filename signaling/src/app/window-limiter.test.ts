import { describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { createWindowLimiter } from './rate-limits.ts';

describe('createWindowLimiter', () => {
  it('without Redis: a fixed allowance per key and window, then how long to wait', async () => {
    const limiter = createWindowLimiter(`w${Date.now()}`, { points: 2, seconds: 60 }, null);
    expect(await limiter.take('k')).toEqual({ ok: true, remaining: 1 });
    expect(await limiter.take('k')).toEqual({ ok: true, remaining: 0 });
    const refused = await limiter.take('k');
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    expect((await limiter.take('other')).ok).toBe(true);
  });

  it('with Redis unreachable: each node counts alone (the insurance limiter) instead of failing every request', async () => {
    // Never connected: not ready, as while Redis is away (no network needed).
    const away = createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true }) as RedisClientType;
    const limiter = createWindowLimiter(`w${Date.now()}`, { points: 2, seconds: 60 }, away);
    const answers = [await limiter.take('k'), await limiter.take('k'), await limiter.take('k')];
    expect(answers.map((a) => a.ok)).toEqual([true, true, false]);
  });
});
