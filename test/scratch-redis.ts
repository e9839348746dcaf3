import { createClient, type RedisClientType } from 'redis';
import { inject } from 'vitest';

/**
 * A connection to the test run's Redis and a key prefix of the test's own; `close()` deletes every
 * key under the prefix, so tests that write Redis directly leave nothing behind.
 */
export async function scratchRedis(
  label: string,
): Promise<{ client: RedisClientType; prefix: string; wipe(under?: string): Promise<void>; close(): Promise<void> }> {
  const prefix = `${inject('redisPrefix')}:${label}:${Date.now()}`;
  const client = createClient({ url: inject('redisUrl') }) as RedisClientType;
  await client.connect();
  const wipe = async (under = prefix) => {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${under}:*` })) keys.push(...batch);
    if (keys.length) await client.del(keys);
  };
  return {
    client,
    prefix,
    wipe,
    async close() {
      await wipe();
      await client.close();
    },
  };
}
