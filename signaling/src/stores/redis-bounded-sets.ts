import type { RedisClientType } from 'redis';
import type { BoundedSets } from '@fairground/core';

// Atomic in Redis: two nodes admitting at once cannot take the set past its limit. The expiry is
// set with the first member only, so the window is fixed and members cannot keep it open.
const ADMIT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

/** Bounded sets shared by every node through Redis. */
export class RedisBoundedSets implements BoundedSets {
  constructor(
    private readonly redis: RedisClientType,
    private readonly prefix: string,
  ) {}

  async admit(key: string, member: string, limit: number, ttlMs: number): Promise<boolean> {
    const result = await this.redis.eval(ADMIT, { keys: [`${this.prefix}:${key}`], arguments: [member, String(limit), String(ttlMs)] });
    return Number(result) === 1;
  }
}
