import { afterAll, beforeAll, inject } from 'vitest';
import { createClient, type RedisClientType } from 'redis';

/**
 * A Redis client on the test run's Redis, under a prefix of its own, for a store's tests: connected
 * before the file's tests and, after them, every key under the prefix deleted and the client closed.
 * Call it inside `describe`; `client` is set once `beforeAll` has run.
 */
export function redisForTest(name: string): { client: RedisClientType; prefix: string } {
  const scope = { client: null as unknown as RedisClientType, prefix: `${inject('redisPrefix')}:${name}:${Date.now()}` };
  beforeAll(async () => {
    scope.client = createClient({ url: inject('redisUrl') }) as RedisClientType;
    await scope.client.connect();
  });
  afterAll(async () => {
    const keys: string[] = [];
    for await (const batch of scope.client.scanIterator({ MATCH: `${scope.prefix}:*` })) keys.push(...batch);
    if (keys.length) await scope.client.del(keys);
    await scope.client.close();
  });
  return scope;
}
