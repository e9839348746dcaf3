import { sql } from 'drizzle-orm';
import type { Db } from '@fairground/db';

/**
 * A published broadcast on air for the next hour, written with only the columns every schema
 * since the benches' base commits has: a bench also runs against an older checkout's database
 * (`--base-commit`, `--tree`), where a column added since (say `booth_id`) does not exist and
 * drizzle's insert, which names every column of today's schema, would fail.
 */
export async function insertOnAirBroadcast(db: Db, title: string): Promise<string> {
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const endsAt = new Date(Date.now() + 3600_000).toISOString();
  const result: unknown = await db.execute(
    sql`insert into broadcasts (title, topic, starts_at, ends_at, status) values (${title}, 'policy_qa', ${startsAt}, ${endsAt}, 'published') returning id`,
  );
  // postgres.js answers the rows as an array, PGlite as `{ rows }`.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{ id: string }>;
  return rows[0]!.id;
}
