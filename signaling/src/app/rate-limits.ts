import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';

/** Takes one request's worth of allowance for a key: false when it is used up for now. */
export interface RateLimiter {
  take(key: string): Promise<boolean>;
}

export interface Rate {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once before the sustained rate applies. */
  burst: number;
}

/**
 * One rate-limiter library (rate-limiter-flexible) for every limit. A rate is a steady allowance
 * (`perSecond`, refilled each second) plus a burst allowance (refilled over burst/perSecond
 * seconds) that is only drawn on when the steady one is used up: a burst, then the steady rate.
 * With Redis the counts are shared by every node (a user's limit holds across nodes and tabs);
 * keys expire with their window in either store, so nothing grows without bound.
 */
export function createRateLimiter(name: string, rate: Rate, redis: RedisClientType | null, prefix = 'fg'): RateLimiter {
  const steady = { keyPrefix: `${prefix}:rl:${name}`, points: rate.perSecond, duration: 1 };
  const extra = Math.max(0, rate.burst - rate.perSecond);
  const burst = { keyPrefix: `${prefix}:rl:${name}:burst`, points: extra, duration: Math.max(1, Math.ceil(rate.burst / rate.perSecond)) };
  const make = (opts: typeof steady) => (redis ? new RateLimiterRedis({ ...opts, storeClient: redis, useRedisPackage: true }) : new RateLimiterMemory(opts));
  const limiter = extra > 0 ? new BurstyRateLimiter(make(steady), make(burst)) : make(steady);
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return true;
      } catch (err) {
        if (err instanceof RateLimiterRes) return false;
        throw err;
      }
    },
  };
}

/** What a window limiter answers: allowed, or refused with how long until the window frees up. */
export type WindowAnswer = { ok: true; remaining: number } | { ok: false; retryAfterMs: number };

/**
 * A fixed allowance per window (`points` per `seconds`) for a key, answering how long to wait
 * when it is used up (an HTTP API's Retry-After). With Redis the count is shared by every node, so
 * a client spreading its requests over nodes behind a balancer gets the same allowance as one on
 * a single node. Should Redis become unreachable, each node counts on its own meanwhile (the
 * insurance limiter): a limit per node for the outage rather than refusing every request.
 */
export function createWindowLimiter(
  name: string,
  window: { points: number; seconds: number },
  redis: RedisClientType | null,
  prefix = 'fg',
): { take(key: string): Promise<WindowAnswer> } {
  const opts = { keyPrefix: `${prefix}:rl:${name}`, points: window.points, duration: window.seconds };
  const limiter = redis
    ? new RateLimiterRedis({ ...opts, storeClient: redis, useRedisPackage: true, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(opts) })
    : new RateLimiterMemory(opts);
  return {
    async take(key) {
      try {
        const res = await limiter.consume(key);
        return { ok: true, remaining: res.remainingPoints };
      } catch (err) {
        if (err instanceof RateLimiterRes) return { ok: false, retryAfterMs: err.msBeforeNext };
        throw err;
      }
    },
  };
}
