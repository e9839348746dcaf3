import { ClientClosedError, ClientOfflineError, ConnectionTimeoutError, createClient, SocketClosedUnexpectedlyError, type RedisClientType } from 'redis';
import type { Logger } from 'pino';

/**
 * The command connection and the subscriber the Socket.IO adapter needs, both connected. While
 * Redis is unreachable, commands fail at once (no offline queue) rather than hang the requests
 * that wait for them: the node goes on serving what does not need Redis, and answers the rest
 * with UNAVAILABLE. Both reconnect by themselves; the subscriber subscribes again.
 */
export async function connectRedis(url: string, log: Logger): Promise<{ redis: RedisClientType; sub: RedisClientType }> {
  const redis = createClient({ url, disableOfflineQueue: true }) as RedisClientType;
  const sub = createClient({ url }) as RedisClientType;
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

/** True for the errors of a Redis client that cannot reach its server (down, restarting, refused). */
export function isRedisUnavailable(error: unknown): boolean {
  return (
    error instanceof ClientOfflineError ||
    error instanceof ClientClosedError ||
    error instanceof SocketClosedUnexpectedlyError ||
    error instanceof ConnectionTimeoutError ||
    (error instanceof Error && /ECONNREFUSED|ECONNRESET|The client is (offline|closed)/.test(error.message))
  );
}

/**
 * The client the Socket.IO adapter publishes with. The adapter fires its publishes without waiting
 * for them, so one that fails while Redis is away would be an unhandled rejection (which ends the
 * process): here it is logged, once per outage. Local clients still get every emit; clients on
 * other nodes miss what was published while Redis was away.
 */
export function adapterPublisher(client: RedisClientType, log: Logger): RedisClientType {
  let warned = false;
  client.on('ready', () => (warned = false));
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property !== 'publish' && property !== 'sPublish' && property !== 'PUBLISH' && property !== 'SPUBLISH') return value.bind(target);
      return (...args: unknown[]) =>
        (value.apply(target, args) as Promise<unknown>).catch((err: unknown) => {
          if (!warned) log.warn({ err: String(err) }, 'publishing to other nodes failed (Redis away); local clients are still served');
          warned = true;
          return 0;
        });
    },
  });
}
