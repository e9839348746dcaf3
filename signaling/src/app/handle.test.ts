import { describe, expect, expectTypeOf, it } from 'vitest';
import { requestSchemas, type ClientToServerEvents } from '../protocol/index.ts';
import { createRateLimiter } from './rate-limits.ts';

describe('createRateLimiter (memory)', () => {
  it('allows a burst, refuses a flood, and refills with time', async () => {
    const limiter = createRateLimiter(`t${Date.now()}`, { perSecond: 1, burst: 5 }, null);
    const burst = await Promise.all(Array.from({ length: 8 }, () => limiter.take('k')));
    expect(burst.filter(Boolean)).toHaveLength(5);
    // Another key has its own allowance.
    expect(await limiter.take('other')).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await limiter.take('k')).toBe(true);
    expect(await limiter.take('k')).toBe(false);
  });
});

describe('requestSchemas', () => {
  it('pairs every client-to-server event with a schema, and nothing else', () => {
    expectTypeOf<keyof typeof requestSchemas>().toEqualTypeOf<keyof ClientToServerEvents>();
    for (const [event, schema] of Object.entries(requestSchemas)) {
      expect(event).toMatch(/^[a-z]+:[a-z-]+$/);
      expect(typeof schema.safeParse).toBe('function');
    }
  });
});
