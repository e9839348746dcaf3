import { sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';

const { rateLimits } = schema;

/**
 * Takes one request from a fixed window counted in Postgres (the `rate_limits` table better-auth
 * also uses, under keys of our own), atomically, so every node shares the count. False when the
 * window is already full; a refused request is counted too, so hammering does not reopen it.
 */
export async function takeWindow(db: Db, key: string, max: number, windowSeconds: number, now = Date.now()): Promise<boolean> {
  const windowStart = now - windowSeconds * 1000;
  const [row] = await db
    .insert(rateLimits)
    .values({ key, count: 1, lastRequest: now })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.lastRequest} < ${windowStart} then 1 else ${rateLimits.count} + 1 end`,
        lastRequest: sql`case when ${rateLimits.lastRequest} < ${windowStart} then ${now} else ${rateLimits.lastRequest} end`,
      },
    })
    .returning({ count: rateLimits.count });
  return (row?.count ?? 0) <= max;
}
