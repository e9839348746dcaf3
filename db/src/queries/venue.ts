import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import { union } from 'drizzle-orm/pg-core';
import type { Db } from '../connect.ts';
import { booths, kioskCheckIns, queueEntries } from '../schema/index.ts';

/**
 * Seekers in a fair's hall now, each counted once: those with a live on-site place (waiting,
 * called, or at a desk) in any line of the fair (walk-ins who scanned a booth's QR code or joined
 * from the kiosk), together with those checked in at the fair's kiosk whose check-in has not run
 * out. Read from the shared tables, so every node and every screen agrees.
 */
export async function onSiteSeekers(db: Db, fairId: string, now = new Date()): Promise<number> {
  const inLines = db
    .select({ seekerId: queueEntries.seekerId })
    .from(queueEntries)
    .innerJoin(booths, eq(booths.id, queueEntries.boothId))
    .where(and(eq(booths.fairId, fairId), eq(queueEntries.onSite, true), inArray(queueEntries.status, ['waiting', 'called', 'interviewing'])));
  const checkedIn = db
    .select({ seekerId: kioskCheckIns.userId })
    .from(kioskCheckIns)
    .where(and(eq(kioskCheckIns.fairId, fairId), gt(kioskCheckIns.expiresAt, now)));
  // `union` (not `union all`) drops a seeker who is both in a line and checked in to one row.
  const onSite = union(inLines, checkedIn).as('on_site');
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(onSite);
  return Number(row?.n ?? 0);
}

/** Checks a seeker in at a fair's kiosk until `expiresAt` (a later visit moves it on, never back). */
export async function checkInAtKiosk(db: Db, fairId: string, userId: string, now: Date, expiresAt: Date): Promise<void> {
  await db
    .insert(kioskCheckIns)
    .values({ fairId, userId, checkedInAt: now, expiresAt })
    .onConflictDoUpdate({
      target: [kioskCheckIns.fairId, kioskCheckIns.userId],
      set: { checkedInAt: now, expiresAt: sql`greatest(${kioskCheckIns.expiresAt}, excluded.expires_at)` },
    });
}
