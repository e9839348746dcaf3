import { createClient, type RedisClientType } from 'redis';
import type { Logger } from 'pino';

/** The command connection and the subscriber the Socket.IO adapter needs, both connected. */
export async function connectRedis(url: string, log: Logger): Promise<{ redis: RedisClientType; sub: RedisClientType }> {
  const redis = createClient({ url }) as RedisClientType;
  const sub = redis.duplicate();
  redis.on('error', (err) => log.warn({ err: String(err) }, 'redis error'));
  sub.on('error', (err) => log.warn({ err: String(err) }, 'redis subscriber error'));
  await Promise.all([redis.connect(), sub.connect()]);
  return { redis, sub };
}

/**
 * Closes gracefully (the adapter does not await its unsubscribes, so a destroy would reject them,
 * unhandled); destroys only if Redis does not answer within a moment.
 */
export async function closeRedis(client: RedisClientType): Promise<void> {
  const closed = client.close().then(
    () => true,
    () => false,
  );
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000).unref());
  if (!(await Promise.race([closed, timeout]))) {
    try {
      client.destroy();
    } catch {
      // already closed
    }
  }
}
